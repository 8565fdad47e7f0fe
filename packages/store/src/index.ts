export * from './model/instance.js';
