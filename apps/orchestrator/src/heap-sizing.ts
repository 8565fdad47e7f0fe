// V8 heap sizing for a long-running daemon, set before anything else is loaded. Under a burst of
// API traffic V8 doubles the young generation up to 32 MiB and rarely gives it back, so each node's
// RSS grew by ~30 MiB after a round of writes and stayed there. Pinning the semi-spaces at their
// start size (growth factor 1) keeps the young generation at ~2 MiB; scavenges get more frequent
// but each is cheaper (a small semi-space, few survivors), and throughput measured the same.
// `--max-semi-space-size` would do the same but only works on the command line; this flag is read
// each time V8 considers growing, so setting it at run time works.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
