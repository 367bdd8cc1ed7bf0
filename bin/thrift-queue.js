#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the package's prepare script) or `npm run build`.
import process from "node:process";
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
