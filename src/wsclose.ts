#!/usr/bin/env node
// The bin's path before it was a CommonJS script (wsclose.cts): the links made to it then still
// run it (npx keeps the link it made for a checkout, and does not make it again).
import './wsclose.cjs';
