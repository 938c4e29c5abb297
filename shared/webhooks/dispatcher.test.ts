import { Dispatcher } from './dispatcher';

const later = () => {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
};

describe('Dispatcher', () => {
  it('keeps a hanging endpoint from delaying another endpoint', async () => {
    const dispatcher = new Dispatcher({ perEndpoint: 2, maxQueued: 10 });
    const hang = later();
    const ran: string[] = [];
    dispatcher.submit('slow', 'c1', () => hang.promise);
    dispatcher.submit('slow', 'c2', () => hang.promise);
    const blocked = dispatcher.submit('slow', 'c3', async () => void ran.push('slow-3'));
    await dispatcher.submit('fast', 'c1', async () => void ran.push('fast')).done;
    expect(ran).toEqual(['fast']);
    hang.release();
    await blocked.done;
    expect(ran).toEqual(['fast', 'slow-3']);
    expect(dispatcher.pending).toBe(0);
  });

  it('runs one ordering key at a time, in the order given, and refuses past the queue bound', async () => {
    const dispatcher = new Dispatcher({ perEndpoint: 4, maxQueued: 3 });
    const first = later();
    const ran: string[] = [];
    dispatcher.submit('e', 'customer-a', async () => {
      await first.promise;
      ran.push('a1');
    });
    const a2 = dispatcher.submit('e', 'customer-a', async () => void ran.push('a2'));
    const b1 = dispatcher.submit('e', 'customer-b', async () => void ran.push('b1'));
    await b1.done;
    expect(ran).toEqual(['b1']);
    dispatcher.submit('e', 'customer-a', async () => void ran.push('a3'));
    dispatcher.submit('e', 'customer-a', async () => void ran.push('a4'));
    expect(dispatcher.submit('e', 'customer-a', async () => void ran.push('a5')).accepted).toBe(false);
    first.release();
    await a2.done;
    await new Promise((r) => setTimeout(r, 10));
    expect(ran).toEqual(['b1', 'a1', 'a2', 'a3', 'a4']);
  });
});
