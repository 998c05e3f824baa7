// Public entry of @headroom/cost. Explicit named exports only.
export {};
