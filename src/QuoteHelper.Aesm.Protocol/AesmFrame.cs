using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using QuoteHelper.Aesm.Protocol.Messages;

namespace QuoteHelper.Aesm.Protocol;

/// <summary>
/// AESM framing (aesm-protocol.md §1.2): a 4-byte little-endian body length, then exactly one serialized protobuf
/// message — <see cref="Request"/> from client to server, <see cref="Response"/> back. One frame in each direction per
/// connection (§1.3). Pure code: no sockets, no allocation of the body before it has arrived.
/// </summary>
public static class AesmFrame
{
    // Unknown fields are ignored on both sides (aesm-protocol.md §2.1); discarding them instead of keeping them keeps
    // the parsed message from holding on to up to a whole frame of bytes nobody reads.
    private static readonly MessageParser<Request> s_requestParser = Request.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<Response> s_responseParser = Response.Parser.WithDiscardUnknownFields(true);

    /// <summary>
    /// Tries to take one frame from the start of <paramref name="buffer"/>.
    /// </summary>
    /// <param name="buffer">
    /// Received bytes. On <see cref="OperationStatus.Done"/> it is advanced past the frame (bytes after the frame stay
    /// in it); on any other result it is left unchanged.
    /// </param>
    /// <param name="maxBodyLength">
    /// Largest body accepted: <see cref="AesmLimits.MaxRequestBodyLength"/> on the server,
    /// <see cref="AesmLimits.MaxResponseBodyLength"/> on the client.
    /// </param>
    /// <param name="body">On <see cref="OperationStatus.Done"/>, the protobuf bytes (a slice of the input); otherwise default.</param>
    /// <returns>
    /// <see cref="OperationStatus.Done"/> when a whole frame is present;
    /// <see cref="OperationStatus.NeedMoreData"/> when fewer than 4 prefix bytes, or fewer than the announced body
    /// bytes, are present — nothing consumed;
    /// <see cref="OperationStatus.InvalidData"/> when the prefix announces 0 bytes or more than
    /// <paramref name="maxBodyLength"/> — decided as soon as the 4 prefix bytes are present, without waiting for the
    /// body. The connection should then be closed without a reply (§1.3, §3 rule 1).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBodyLength"/> is not positive.</exception>
    public static OperationStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxBodyLength, out ReadOnlySequence<byte> body)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBodyLength);
        body = default;

        uint length;
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= AesmLimits.LengthPrefixSize)
        {
            // Fast path: the prefix is contiguous (always the case for a single-segment buffer).
            length = BinaryPrimitives.ReadUInt32LittleEndian(first);
        }
        else
        {
            if (buffer.Length < AesmLimits.LengthPrefixSize)
            {
                return OperationStatus.NeedMoreData;
            }

            Span<byte> prefix = stackalloc byte[AesmLimits.LengthPrefixSize];
            buffer.Slice(0, AesmLimits.LengthPrefixSize).CopyTo(prefix);
            length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        }

        // Compared as unsigned: a prefix of 0x80000000 or more must not turn negative. A zero length is refused too: an
        // empty Request carries no sub-message (§3 rule 4), and an empty Response crashes Intel's client (§8.3).
        if (length == 0 || length > (uint)maxBodyLength)
        {
            return OperationStatus.InvalidData;
        }

        long frameLength = AesmLimits.LengthPrefixSize + (long)length;
        if (buffer.Length < frameLength)
        {
            return OperationStatus.NeedMoreData;
        }

        body = buffer.Slice(AesmLimits.LengthPrefixSize, length);
        buffer = buffer.Slice(body.End);
        return OperationStatus.Done;
    }

    /// <summary>Serializes <paramref name="message"/> as one frame: 4-byte little-endian length, then the protobuf bytes.</summary>
    /// <param name="message">A <see cref="Request"/> or <see cref="Response"/>; it must serialize to at least one byte.</param>
    /// <returns>A new array of exactly 4 + body length bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="message"/> serializes to zero bytes.</exception>
    public static byte[] Encode(IMessage message)
    {
        int bodyLength = CheckedBodyLength(message);
        var frame = new byte[AesmLimits.LengthPrefixSize + bodyLength];
        WriteFrame(frame, message, bodyLength);
        return frame;
    }

    /// <summary>
    /// Encodes <paramref name="message"/> as one frame into a buffer rented from <see cref="ArrayPool{T}.Shared"/>
    /// (the daemon's hot path: no per-response allocation). Return the buffer to the pool when it has been sent.
    /// </summary>
    /// <param name="message">A <see cref="Request"/> or <see cref="Response"/>; it must serialize to at least one byte.</param>
    /// <param name="frameLength">Receives the number of bytes of the frame at the start of the buffer.</param>
    /// <exception cref="ArgumentException"><paramref name="message"/> serializes to zero bytes.</exception>
    public static byte[] EncodePooled(IMessage message, out int frameLength)
    {
        int bodyLength = CheckedBodyLength(message);
        frameLength = AesmLimits.LengthPrefixSize + bodyLength;
        var frame = ArrayPool<byte>.Shared.Rent(frameLength);
        WriteFrame(frame.AsSpan(0, frameLength), message, bodyLength);
        return frame;
    }

    /// <summary>Writes <paramref name="message"/> as one frame into <paramref name="writer"/> (one contiguous span, no intermediate copy).</summary>
    /// <param name="writer">Destination; advanced by 4 + body length bytes.</param>
    /// <param name="message">A <see cref="Request"/> or <see cref="Response"/>; it must serialize to at least one byte.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> or <paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="message"/> serializes to zero bytes.</exception>
    public static void Write(IBufferWriter<byte> writer, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int bodyLength = CheckedBodyLength(message);
        int frameLength = AesmLimits.LengthPrefixSize + bodyLength;
        Span<byte> frame = writer.GetSpan(frameLength)[..frameLength];
        WriteFrame(frame, message, bodyLength);
        writer.Advance(frameLength);
    }

    /// <summary>Parses a frame body as a <see cref="Request"/>; unknown fields are dropped (§2.1).</summary>
    /// <param name="body">The body returned by <see cref="TryReadFrame"/>.</param>
    /// <param name="request">The parsed request, or null when the bytes are not a valid protobuf message.</param>
    /// <returns>
    /// False when the bytes do not parse (the server then closes without a reply, §3 rule 2). True does not mean a
    /// known sub-message or its required fields are present: see <see cref="AesmDispatch"/>.
    /// </returns>
    /// <remarks>The parsed message owns copies of its bytes, so the receive buffer may be released afterwards.</remarks>
    public static bool TryParseRequest(ReadOnlySequence<byte> body, [NotNullWhen(true)] out Request? request)
    {
        try
        {
            request = s_requestParser.ParseFrom(body);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            request = null;
            return false;
        }
    }

    /// <summary>Parses a frame body as a <see cref="Response"/>; unknown fields are dropped (§2.1, as Intel's client does).</summary>
    /// <param name="body">The body returned by <see cref="TryReadFrame"/>.</param>
    /// <param name="response">The parsed response, or null when the bytes are not a valid protobuf message.</param>
    /// <returns>
    /// False when the bytes do not parse. True does not mean the expected response field is present: check it with
    /// <see cref="AesmResponses.GetSubMessage"/>.
    /// </returns>
    /// <remarks>The parsed message owns copies of its bytes, so the receive buffer may be released afterwards.</remarks>
    public static bool TryParseResponse(ReadOnlySequence<byte> body, [NotNullWhen(true)] out Response? response)
    {
        try
        {
            response = s_responseParser.ParseFrom(body);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            response = null;
            return false;
        }
    }

    private static int CheckedBodyLength(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int bodyLength = message.CalculateSize();

        // Never put a zero-length body on the wire: Intel's client dereferences a null response and crashes (§8.3),
        // and our own TryReadFrame refuses it.
        if (bodyLength == 0)
        {
            throw new ArgumentException("The message serializes to zero bytes; an empty AESM frame body is never valid (aesm-protocol.md §8.3).", nameof(message));
        }

        return bodyLength;
    }

    private static void WriteFrame(Span<byte> frame, IMessage message, int bodyLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)bodyLength);

        // WriteTo(Span) checks that the span is filled exactly, so a size that changed since CalculateSize is caught.
        message.WriteTo(frame.Slice(AesmLimits.LengthPrefixSize, bodyLength));
    }
}
