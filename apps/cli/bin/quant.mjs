#!/usr/bin/env node
// Launcher: registers tsx's loader so `npx quant` runs the TypeScript sources without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
