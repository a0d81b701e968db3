/**
 * A queue that runs each task after the one before it has settled, in the order they were
 * queued: calls the model issued together then reach the trail in the order it issued them.
 */
export function inCallOrder(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const result = tail.then(task);
    tail = result.catch(() => undefined);
    return result;
  };
}
