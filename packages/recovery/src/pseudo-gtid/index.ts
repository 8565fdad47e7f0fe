export * from './events.js';
export * from './match.js';
export * from './match-below.js';
export * from './pattern.js';
export * from './source.js';
