// Time as an injected function, so business hours, expiry and idle timers are testable.

/** The current time. Production passes `() => new Date()`; tests pass a controllable one. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
