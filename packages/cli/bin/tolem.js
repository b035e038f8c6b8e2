#!/usr/bin/env node
// The `tolem` command. Node 20 cannot run TypeScript, so this runs the build (`tsc -b` makes dist/).
import { main } from '../dist/main.js';

await main();
