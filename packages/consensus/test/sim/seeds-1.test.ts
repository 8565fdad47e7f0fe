import { seedsPart } from './seeds.js';

seedsPart(1);
