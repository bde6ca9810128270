export { IntervalSampler, WindowLimiter } from './rate-limiter.js';
