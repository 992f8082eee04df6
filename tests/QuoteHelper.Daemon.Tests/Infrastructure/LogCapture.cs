using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace QuoteHelper.Daemon.Tests;

/// <summary>One captured log entry.</summary>
/// <param name="EventId">The daemon's stable event id.</param>
/// <param name="Level">The level.</param>
/// <param name="Message">The formatted message.</param>
public sealed record LogEntry(int EventId, LogLevel Level, string Message);

/// <summary>Captures the daemon's logs in memory instead of writing them to the console.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Entries so far, in order.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>True when an entry with <paramref name="eventId"/> was logged.</summary>
    public bool Contains(int eventId) => _entries.Any(e => e.EventId == eventId);

    /// <summary>Installs this capture as the only log provider (Information and above).</summary>
    public void Configure(ILoggingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ClearProviders();
        builder.SetMinimumLevel(LogLevel.Information);
        builder.AddProvider(this);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(_entries);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(eventId.Id, logLevel, formatter(state, exception)));
    }
}
