package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps limits in a Redis server, so that every process sharing it
// shares the counts. Each operation is one Lua script, so concurrent
// processes cannot overshoot a limit. Times come from the processes' own
// clocks (kept in sync by NTP), which lets tests drive them.
type Redis struct {
	client redis.Cmdable
	prefix string
	now    func() time.Time
}

// NewRedis returns limits kept in client under keys starting with prefix
// ("bazaar:rl:" when empty). A nil now uses time.Now.
func NewRedis(client redis.Cmdable, prefix string, now func() time.Time) *Redis {
	if prefix == "" {
		prefix = "bazaar:rl:"
	}
	if now == nil {
		now = time.Now
	}
	return &Redis{client: client, prefix: prefix, now: now}
}

// OpenRedis connects to the Redis server at url (redis://host:port/db) and
// checks that it answers.
func OpenRedis(ctx context.Context, url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	c := redis.NewClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis %s: %w", opts.Addr, err)
	}
	return c, nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// bucketScript takes a token: KEYS[1] the bucket; ARGV rate (tokens per
// ms), burst, now (ms). It returns {allowed, tokens left as a string}.
var bucketScript = redis.NewScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(v[1])
local ts = tonumber(v[2])
if tokens == nil or ts == nil then tokens = burst; ts = now end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(ts))
local ttl = 1000
if rate > 0 then ttl = math.ceil((burst - tokens) / rate) + 1000 end
redis.call('PEXPIRE', KEYS[1], ttl)
return {allowed, tostring(tokens)}
`)

// Buckets returns token buckets kept in Redis.
func (r *Redis) Buckets() Buckets { return redisBuckets{r} }

type redisBuckets struct{ r *Redis }

func (rb redisBuckets) Take(ctx context.Context, key string, b Bucket) (Result, error) {
	if b.Burst < 1 {
		return Result{Allowed: true}, nil
	}
	res, err := bucketScript.Run(ctx, rb.r.client, []string{rb.r.prefix + "b:" + key},
		strconv.FormatFloat(b.Rate/1000, 'g', -1, 64), b.Burst, ms(rb.r.now())).Slice()
	if err != nil {
		return Result{}, fmt.Errorf("redis bucket: %w", err)
	}
	if len(res) != 2 {
		return Result{}, fmt.Errorf("redis bucket: unexpected reply %v", res)
	}
	allowed, _ := res[0].(int64)
	s, _ := res[1].(string)
	tokens, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Result{}, fmt.Errorf("redis bucket: tokens %q: %w", s, err)
	}
	return b.result(allowed == 1, tokens), nil
}

// windowScript is the sliding-window log: KEYS[1] a sorted set of event
// times; ARGV op ("wait", "take", "add"), limit, window (ms), now (ms), a
// unique member. It returns the wait in ms.
var windowScript = redis.NewScript(`
local op = ARGV[1]
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local function wait()
  local n = redis.call('ZCARD', KEYS[1])
  if n < limit then return 0 end
  local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  local d = tonumber(oldest[2]) + window - now
  if d < 1 then d = 1 end
  return d
end
if op == 'wait' then return wait() end
if op == 'take' then
  local d = wait()
  if d > 0 then return d end
end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(limit + 1))
redis.call('PEXPIRE', KEYS[1], window)
if op == 'take' then return 0 end
return wait()
`)

// Limiter returns a sliding-window Limiter applying rule, its keys under
// name.
func (r *Redis) Limiter(name string, rule Rule) Limiter {
	return &redisWindow{r: r, prefix: r.prefix + "w:" + name + ":", rule: rule}
}

type redisWindow struct {
	r      *Redis
	prefix string
	rule   Rule
}

func (w *redisWindow) run(ctx context.Context, op, key string) (time.Duration, error) {
	if w.rule.Limit < 1 || w.rule.Window <= 0 {
		return 0, nil
	}
	d, err := windowScript.Run(ctx, w.r.client, []string{w.prefix + key},
		op, w.rule.Limit, w.rule.Window.Milliseconds(), ms(w.r.now()), member()).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis limiter: %w", err)
	}
	return time.Duration(d) * time.Millisecond, nil
}

func (w *redisWindow) Wait(ctx context.Context, key string) (time.Duration, error) {
	return w.run(ctx, "wait", key)
}
func (w *redisWindow) Take(ctx context.Context, key string) (time.Duration, error) {
	return w.run(ctx, "take", key)
}
func (w *redisWindow) Add(ctx context.Context, key string) (time.Duration, error) {
	return w.run(ctx, "add", key)
}
func (w *redisWindow) Reset(ctx context.Context, key string) error {
	return w.r.client.Del(ctx, w.prefix+key).Err()
}

// backoffScript keeps a key's failures as a hash {n, last}: ARGV op
// ("wait", "take", "add"), free, base, max, forget (ms), now (ms). It
// returns the wait in ms.
var backoffScript = redis.NewScript(`
local op = ARGV[1]
local free = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local forget = tonumber(ARGV[5])
local now = tonumber(ARGV[6])
local v = redis.call('HMGET', KEYS[1], 'n', 'last')
local n = tonumber(v[1]) or 0
local last = tonumber(v[2]) or 0
if n > 0 and now - last >= forget then n = 0 end
local function wait()
  if n < free or base <= 0 then return 0 end
  local d = base
  local i = free
  while i < n and d < cap do d = d * 2; i = i + 1 end
  if cap > 0 and d > cap then d = cap end
  local left = last + d - now
  if left <= 0 then return 0 end
  return left
end
if op == 'wait' then return wait() end
if op == 'take' then
  local d = wait()
  if d > 0 then return d end
end
n = n + 1
last = now
redis.call('HSET', KEYS[1], 'n', n, 'last', last)
redis.call('PEXPIRE', KEYS[1], forget)
if op == 'take' then return 0 end
return wait()
`)

// Backoff returns a Limiter applying rule, its keys under name.
func (r *Redis) Backoff(name string, rule Backoff) Limiter {
	if rule.Forget <= 0 {
		rule.Forget = time.Hour
	}
	return &redisBackoff{r: r, prefix: r.prefix + "f:" + name + ":", rule: rule}
}

type redisBackoff struct {
	r      *Redis
	prefix string
	rule   Backoff
}

func (b *redisBackoff) run(ctx context.Context, op, key string) (time.Duration, error) {
	d, err := backoffScript.Run(ctx, b.r.client, []string{b.prefix + key}, op, b.rule.Free,
		b.rule.Base.Milliseconds(), b.rule.Max.Milliseconds(), b.rule.Forget.Milliseconds(), ms(b.r.now())).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis backoff: %w", err)
	}
	return time.Duration(d) * time.Millisecond, nil
}

func (b *redisBackoff) Wait(ctx context.Context, key string) (time.Duration, error) {
	return b.run(ctx, "wait", key)
}
func (b *redisBackoff) Take(ctx context.Context, key string) (time.Duration, error) {
	return b.run(ctx, "take", key)
}
func (b *redisBackoff) Add(ctx context.Context, key string) (time.Duration, error) {
	return b.run(ctx, "add", key)
}
func (b *redisBackoff) Reset(ctx context.Context, key string) error {
	return b.r.client.Del(ctx, b.prefix+key).Err()
}

func member() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
