// Node entry of @headroom/sim: file loading and the command line.
export {};
