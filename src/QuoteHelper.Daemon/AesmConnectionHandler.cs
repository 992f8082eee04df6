using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QuoteHelper.Aesm.Protocol;
using QuoteHelper.Aesm.Protocol.Messages;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Daemon;

/// <summary>
/// One AESM connection on Kestrel's Unix-socket transport: read one length-prefixed request within the read
/// deadline, answer it, close (aesm-protocol.md §1.3). Hostile lengths, garbage and unknown requests are closed
/// without a reply, as Intel's server does; nothing is allocated for a claimed length above the cap.
/// </summary>
internal sealed class AesmConnectionHandler(
    AesmService service,
    IOptions<AesmDaemonOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<AesmConnectionHandler> logger) : ConnectionHandler
{
    private readonly TimeSpan _readTimeout = options.Value.ReadTimeout;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var request = await ReadRequestAsync(connection).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var response = service.Handle(request, out var kind, out var rented);
        try
        {
            if (response is null)
            {
                Log.UnknownRequest(logger, connection.ConnectionId);
                return;
            }

            var output = connection.Transport.Output;
            AesmFrame.Write(output, response);
            await output.FlushAsync().ConfigureAwait(false);
            LogAnswer(kind!.Value, response, Stopwatch.GetElapsedTime(started), connection.ConnectionId);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private async Task<Request?> ReadRequestAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;

        // The deadline covers the whole request; a stopping daemon also stops waiting for requests not yet sent.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, lifetime.ApplicationStopping);
        deadline.CancelAfter(_readTimeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var status = AesmFrame.TryReadFrame(ref buffer, AesmLimits.MaxRequestBodyLength, out var body);
                switch (status)
                {
                    case OperationStatus.Done:
                        var parsed = AesmFrame.TryParseRequest(body, out var request);
                        input.AdvanceTo(buffer.Start);
                        if (!parsed)
                        {
                            Log.Malformed(logger, connection.ConnectionId);
                            return null;
                        }

                        return request;

                    case OperationStatus.InvalidData:
                        Log.HostileLength(logger, connection.ConnectionId, PeekLength(result.Buffer), AesmLimits.MaxRequestBodyLength);
                        input.AdvanceTo(result.Buffer.End);
                        return null;

                    default:
                        if (result.IsCompleted || result.IsCanceled)
                        {
                            Log.EndedEarly(logger, connection.ConnectionId);
                            input.AdvanceTo(result.Buffer.End);
                            return null;
                        }

                        input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (!connection.ConnectionClosed.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                Log.ReadTimeout(logger, connection.ConnectionId, _readTimeout);
            }

            return null;
        }
        catch (ConnectionResetException)
        {
            return null;
        }
    }

    private static uint PeekLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[AesmLimits.LengthPrefixSize];
        buffer.Slice(0, AesmLimits.LengthPrefixSize).CopyTo(prefix);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(prefix);
    }

    // Every response sub-message has errorCode as field 1 (aesm-protocol.md §2.5).
    private static uint ErrorCodeOf(Response response, AesmRequestKind kind) =>
        AesmResponses.GetSubMessage(response, kind) is { } message &&
        message.Descriptor.FindFieldByNumber(1)?.Accessor.GetValue(message) is uint code ? code : (uint)AesmError.UnexpectedError;

    private void LogAnswer(AesmRequestKind kind, Response response, TimeSpan elapsed, string connectionId)
    {
        var code = ErrorCodeOf(response, kind);
        if (code != (uint)AesmError.Success)
        {
            Log.AnsweredError(logger, kind.ToString(), code, ((AesmError)code).ToString(), connectionId);
        }
        else if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.Answered(logger, kind.ToString(), code, elapsed.TotalMilliseconds, connectionId);
        }
    }
}
