// Public entry of @headroom/sim.
export {};
