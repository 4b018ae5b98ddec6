/**
 * The Lua scripts behind RedisStore. Each touches one key, or a lease and its record
 * (same hash tag, so the same Cluster slot), and runs atomically. Sent by SHA
 * (`EVALSHA`), and in full once per server when it answers `NOSCRIPT`; no
 * `SCRIPT LOAD` up front, so a restarted or failed-over server just works.
 */
import { createHash } from "node:crypto";

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** A script whose SHA is computed on first use, not at import time. */
function script(source: string): LuaScript {
  let sha: string | undefined;
  return {
    source,
    get sha() {
      sha ??= createHash("sha1").update(source).digest("hex");
      return sha;
    },
  };
}

/**
 * A value with what is needed to judge it, without ever pulling a huge or non-string
 * value over the wire: `nil` when absent; `{"wrong_type", type}`; `{"too_large", size,
 * pttl}`; `{"ok", value, pttl}`. ARGV: max bytes.
 */
export const READ = script(`
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'none' then return false end
if kind ~= 'string' then return {'wrong_type', kind} end
local ttl = redis.call('PTTL', KEYS[1])
local size = redis.call('STRLEN', KEYS[1])
if size > tonumber(ARGV[1]) then return {'too_large', tostring(size), ttl} end
return {'ok', redis.call('GET', KEYS[1]), ttl}
`);

/** SET with expiry, then announce. ARGV: value, ttl ms, channel, message. */
export const WRITE = script(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`);

/** DEL, announced when something was deleted. ARGV: channel, message. */
export const REMOVE = script(`
if redis.call('DEL', KEYS[1]) > 0 then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return 1
`);

/**
 * Takes the lease (SET NX PX): 1 for the one caller that got it, else 0. With a second
 * key (the identity record, same slot), the lease is also refused while that record
 * holds a lockout window that is still running and was written less than one lease
 * length (ARGV ttl) ago: another process's probe has just answered, after this caller
 * read the record and decided to probe. Older windows are left to the engine, which caps
 * them from their write time (`since`), so a forged record can't use this to hold probes
 * off beyond the policy's cap. A lease no store wrote (no expiry, or not a string) is
 * removed first: left there, it would hold every probe off for good.
 * ARGV: holder, ttl ms, now (epoch ms), max record bytes.
 */
export const ACQUIRE = script(`
if #KEYS == 2 then
  local size = redis.pcall('STRLEN', KEYS[2])
  if type(size) == 'number' and size > 0 and size <= tonumber(ARGV[4]) then
    local ok, record = pcall(cjson.decode, redis.call('GET', KEYS[2]))
    if ok and type(record) == 'table' and type(record['lockout']) == 'table' then
      local since, ends = record['lockout']['since'], record['lockout']['until']
      local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[2])
      if type(since) == 'number' and type(ends) == 'number' and ends > now and now - since < ttl and since - now < ttl then return 0 end
    end
  end
end
local held = redis.call('TYPE', KEYS[1])['ok']
if held ~= 'none' and (held ~= 'string' or redis.call('PTTL', KEYS[1]) == -1) then redis.call('DEL', KEYS[1]) end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`);

/** Compare-and-delete: only the holder releases. ARGV: holder, channel, message ('' for none). */
export const RELEASE = script(`
if redis.pcall('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
  return 1
end
return 0
`);

/**
 * The fleet's secret: kept (and its expiry renewed) when well formed (43 base64url
 * characters, 32 bytes), else replaced by the candidate, atomically so racing processes
 * agree. Returns `{secret, status}` with status `kept`, `created`, `replaced`
 * (malformed string) or `replaced_wrong_type`. ARGV: candidate, ttl ms.
 */
export const SECRET = script(`
local current = redis.pcall('GET', KEYS[1])
if type(current) == 'string' and #current == 43 and string.match(current, '^[%w_%-]+$') then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {current, 'kept'}
end
local status = 'created'
if type(current) == 'string' then status = 'replaced' elseif type(current) == 'table' then status = 'replaced_wrong_type' end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], status}
`);

/** The part of an ioredis `Redis` or `Cluster` the store uses to run scripts. */
export interface ScriptClient {
  callBuffer(command: string, ...args: (string | number | Buffer)[]): Promise<unknown>;
}

/** Runs `lua` by SHA, sending the source once if the server doesn't know it yet. */
export async function runScript(client: ScriptClient, lua: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await client.callBuffer("evalsha", lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return client.callBuffer("eval", lua.source, keys.length, ...keys, ...args);
  }
}
