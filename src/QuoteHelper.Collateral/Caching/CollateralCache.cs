using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using QuoteHelper.Collateral.Pcs;

namespace QuoteHelper.Collateral.Caching;

/// <summary>A cached PCS/PCCS response.</summary>
/// <param name="Key">The cache key (route and sorted parameters, <see cref="PcsRequest.CacheKey"/>).</param>
/// <param name="Response">The response as received.</param>
/// <param name="FetchedAt">When it was received.</param>
/// <param name="FreshUntil">End of freshness: the earliest of the document's nextUpdate, the upstream max-age and
/// <see cref="CollateralCacheOptions.MaxAge"/>.</param>
public sealed record CachedCollateral(string Key, PcsResponse Response, DateTimeOffset FetchedAt, DateTimeOffset FreshUntil)
{
    /// <summary>The response marked stale (<c>Warning: 110 - "Response is Stale"</c>, RFC 7234 §5.5.1).</summary>
    public PcsResponse AsStaleResponse() => Response.WithHeader(PcsHeaders.Warning, "110 - \"Response is Stale\"");
}

/// <summary>
/// Cache of PCS/PCCS responses in memory and, optionally, on disk, keyed by route and parameters. An entry is fresh
/// until the earliest of its document's nextUpdate (TCB Info, QE Identity, CRL — an entry never outlives it as fresh),
/// an upstream <c>Cache-Control: max-age</c>, and <see cref="CollateralCacheOptions.MaxAge"/>; after that it is only
/// served under the explicit <see cref="CollateralCacheOptions.StaleServing"/> rule, and removed once that window has
/// passed. Bounded by <see cref="CollateralCacheOptions.MaxEntries"/>. Thread-safe.
/// </summary>
public sealed class CollateralCache
{
    private const string FileSuffix = ".entry.json";
    private readonly Dictionary<string, CachedCollateral> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    /// <summary>Creates a cache; the disk directory (if any) is created with mode 0700.</summary>
    public CollateralCache(CollateralCacheOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxStaleness, TimeSpan.Zero);
        Options = options;
        _time = time;
        if (options.Directory is { } directory)
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The policy in effect.</summary>
    public CollateralCacheOptions Options { get; }

    /// <summary>Entries held in memory (those past their stale window are removed first).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Prune(_time.GetUtcNow());
                return _entries.Count;
            }
        }
    }

    /// <summary>Entry files on disk (0 without a directory).</summary>
    public int DiskCount => Options.Directory is { } d && Directory.Exists(d) ? Directory.GetFiles(d, "*" + FileSuffix).Length : 0;

    /// <summary>The entry for <paramref name="key"/> if it is fresh now (memory first, then disk).</summary>
    public bool TryGetFresh(string key, out CachedCollateral entry)
    {
        var now = _time.GetUtcNow();
        entry = Find(key, now)!;
        return entry is not null && now < entry.FreshUntil;
    }

    /// <summary>
    /// The entry for <paramref name="key"/> if the stale-serving rule allows it now: fresh, or
    /// <see cref="StaleServing.OnUpstreamFailure"/> and at most <see cref="CollateralCacheOptions.MaxStaleness"/> past
    /// its freshness. Call it only after the upstream failed.
    /// </summary>
    public bool TryGetStale(string key, out CachedCollateral entry)
    {
        var now = _time.GetUtcNow();
        entry = Find(key, now)!;
        return entry is not null && (now < entry.FreshUntil ||
            (Options.StaleServing == StaleServing.OnUpstreamFailure && now < entry.FreshUntil + Options.MaxStaleness));
    }

    /// <summary>
    /// Stores a 200 response under <paramref name="key"/> unless it is already expired, too large, or not a success.
    /// </summary>
    /// <returns>The stored entry, or null when nothing was stored.</returns>
    public CachedCollateral? Store(string key, PcsResponse response)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccess || response.Body.Length > Options.MaxEntryLength)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var freshUntil = now + Options.MaxAge;
        if (CollateralExpiry.FindNextUpdate(response.Body) is { } nextUpdate && nextUpdate < freshUntil)
        {
            freshUntil = nextUpdate;
        }

        if (response.Headers.TryGetValue("Cache-Control", out var cacheControl) && MaxAgeOf(cacheControl) is { } maxAge &&
            now + maxAge < freshUntil)
        {
            freshUntil = now + maxAge;
        }

        if (freshUntil <= now)
        {
            return null; // already expired: storing it would only make a stale entry
        }

        var entry = new CachedCollateral(key, response, now, freshUntil);
        lock (_lock)
        {
            _entries[key] = entry;
            Prune(now);
        }

        WriteToDisk(entry, now);
        return entry;
    }

    /// <summary>Removes every entry past its stale window (memory and disk). Also done on every store.</summary>
    public void Prune()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            Prune(now);
        }

        PruneDisk(now);
    }

    private DateTimeOffset RemoveAfter(CachedCollateral entry) =>
        entry.FreshUntil + (Options.StaleServing == StaleServing.OnUpstreamFailure ? Options.MaxStaleness : TimeSpan.Zero);

    private CachedCollateral? Find(string key, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (now < RemoveAfter(entry))
                {
                    return entry;
                }

                _entries.Remove(key);
            }
        }

        var fromDisk = ReadFromDisk(key);
        if (fromDisk is null)
        {
            return null;
        }

        if (now >= RemoveAfter(fromDisk))
        {
            TryDelete(PathFor(key));
            return null;
        }

        lock (_lock)
        {
            _entries[key] = fromDisk;
            Prune(now);
        }

        return fromDisk;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var expired in _entries.Values.Where(e => now >= RemoveAfter(e)).Select(e => e.Key).ToList())
        {
            _entries.Remove(expired);
        }

        while (_entries.Count > Options.MaxEntries)
        {
            _entries.Remove(_entries.Values.MinBy(e => e.FreshUntil)!.Key);
        }
    }

    private string PathFor(string key) =>
        Path.Combine(Options.Directory!, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))) + FileSuffix);

    private void WriteToDisk(CachedCollateral entry, DateTimeOffset now)
    {
        if (Options.Directory is null)
        {
            return;
        }

        var record = new DiskEntry
        {
            Key = entry.Key,
            StatusCode = entry.Response.StatusCode,
            ContentType = entry.Response.ContentType,
            Headers = new Dictionary<string, string>(entry.Response.Headers, StringComparer.OrdinalIgnoreCase),
            Body = Convert.ToBase64String(entry.Response.Body),
            FetchedAt = entry.FetchedAt,
            FreshUntil = entry.FreshUntil,
        };
        var path = PathFor(entry.Key);
        var temporary = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                JsonSerializer.Serialize(stream, record, CacheJsonContext.Default.DiskEntry);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException)
        {
            // The disk copy is an optimisation: a full or read-only disk leaves the memory cache working.
            TryDelete(temporary);
        }
        catch (UnauthorizedAccessException)
        {
            TryDelete(temporary);
        }

        PruneDisk(now);
    }

    private CachedCollateral? ReadFromDisk(string key)
    {
        if (Options.Directory is null)
        {
            return null;
        }

        var path = PathFor(key);
        try
        {
            var info = new FileInfo(path);
            // Base64 adds a third; anything larger than a maximal entry is not ours.
            if (!info.Exists || info.Length > (Options.MaxEntryLength * 2L) + 65536)
            {
                return null;
            }

            var record = JsonSerializer.Deserialize(File.ReadAllBytes(path), CacheJsonContext.Default.DiskEntry);
            if (record is null || record.Key != key)
            {
                return null;
            }

            var response = new PcsResponse(record.StatusCode, Convert.FromBase64String(record.Body), record.ContentType,
                new Dictionary<string, string>(record.Headers, StringComparer.OrdinalIgnoreCase));
            return new CachedCollateral(key, response, record.FetchedAt, record.FreshUntil);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
        {
            TryDelete(path); // a damaged entry is a miss, and is not tried again
            return null;
        }
    }

    private void PruneDisk(DateTimeOffset now)
    {
        if (Options.Directory is not { } directory || !Directory.Exists(directory))
        {
            return;
        }

        var files = new List<(string Path, DateTimeOffset RemoveAfter, DateTimeOffset FreshUntil)>();
        foreach (var file in Directory.EnumerateFiles(directory, "*" + FileSuffix))
        {
            try
            {
                using var stream = File.OpenRead(file);
                var record = JsonSerializer.Deserialize(stream, CacheJsonContext.Default.DiskEntry);
                if (record is null)
                {
                    TryDelete(file);
                    continue;
                }

                var removeAfter = record.FreshUntil +
                    (Options.StaleServing == StaleServing.OnUpstreamFailure ? Options.MaxStaleness : TimeSpan.Zero);
                if (now >= removeAfter)
                {
                    TryDelete(file);
                }
                else
                {
                    files.Add((file, removeAfter, record.FreshUntil));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                TryDelete(file);
            }
        }

        foreach (var (path, _, _) in files.OrderBy(f => f.FreshUntil).Take(Math.Max(0, files.Count - Options.MaxEntries)))
        {
            TryDelete(path);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static TimeSpan? MaxAgeOf(string cacheControl)
    {
        foreach (var directive in cacheControl.Split(',', StringSplitOptions.TrimEntries))
        {
            if (directive.StartsWith("max-age=", StringComparison.OrdinalIgnoreCase) &&
                long.TryParse(directive.AsSpan(8), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds / 2));
            }

            if (directive.Equals("no-store", StringComparison.OrdinalIgnoreCase) || directive.Equals("no-cache", StringComparison.OrdinalIgnoreCase))
            {
                return TimeSpan.Zero;
            }
        }

        return null;
    }

    internal sealed class DiskEntry
    {
        public required string Key { get; init; }

        public required int StatusCode { get; init; }

        public string? ContentType { get; init; }

        public required Dictionary<string, string> Headers { get; init; }

        public required string Body { get; init; }

        public required DateTimeOffset FetchedAt { get; init; }

        public required DateTimeOffset FreshUntil { get; init; }
    }
}

[JsonSerializable(typeof(CollateralCache.DiskEntry))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
