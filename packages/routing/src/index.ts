// Public entry of @headroom/routing. Explicit named exports only.
export {};
