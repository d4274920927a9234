// Preloaded (`node --expose-gc --import ./test/support/heap-probe.mjs`) into a gateway process that a
// test drives from outside: on SIGUSR2 it runs full collections and prints the heap still in use.
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  process.stdout.write(`heap-used ${process.memoryUsage().heapUsed}\n`);
});
