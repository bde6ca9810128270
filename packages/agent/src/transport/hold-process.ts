/**
 * Background work (upload timers, polls, retry waits, sockets) is unref'd so it never keeps the
 * host process alive. Work the app explicitly awaits (`flush()`, `close()`) is different: if the
 * loop ran dry meanwhile, node would exit in the middle of the app's `await`. This holds the loop
 * open for the duration of such work, which is itself bounded by timeouts.
 */
export async function holdProcessDuring<T>(work: () => Promise<T>): Promise<T> {
  const hold = setInterval(() => {}, 1 << 30);
  try {
    return await work();
  } finally {
    clearInterval(hold);
  }
}
