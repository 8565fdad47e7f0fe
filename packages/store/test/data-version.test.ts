// dataVersion: the counter that tells read caches whether anything was written since they read.
import { afterAll, describe, expect, it } from 'vitest';
import { emptyInstance } from '../src/model/instance.js';
import { Env } from './helpers.js';

const env = new Env();
afterAll(() => env.dispose());

describe('store.dataVersion', () => {
  it('grows with probe writes and applied commands, not with reads', async () => {
    const store = await env.open('sqlite');
    {
      const key = { Hostname: 'db1', Port: 3306 };
      const start = store.dataVersion();
      await store.instances.readAll();
      await store.instances.read(key);
      expect(store.dataVersion()).toBe(start);

      await store.instances.upsert([emptyInstance(key)]);
      const afterProbe = store.dataVersion();
      expect(afterProbe).toBeGreaterThan(start);

      const applied = await store.applyCommand('register-candidate', {
        Hostname: 'db1',
        Port: 3306,
        PromotionRule: 'prefer',
        LastSuggestedString: '2026-01-10T12:00:00Z',
        PromotionRuleExpiry: '2026-01-10T13:00:00Z',
      });
      expect(applied.ok).toBe(true);
      expect(store.dataVersion()).toBeGreaterThan(afterProbe);
      expect((await store.instances.read(key))?.PromotionRule).toBe('prefer');
    }
  });

  it('grows after a failed write too (the caller cannot know what was half done)', async () => {
    const store = await env.open('sqlite');
    {
      const before = store.dataVersion();
      await expect(store.backend.exec('INSERT INTO no_such_table VALUES (1)')).rejects.toThrow();
      expect(store.dataVersion()).toBe(before + 1);
    }
  });
});
