using System.Buffers;

namespace QuoteHelper.Aesm.Protocol.Tests;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/> values, as a pipe delivers them.</summary>
internal static class SegmentedSequence
{
    /// <summary>Cuts <paramref name="data"/> at the given ascending offsets (0 and the length are allowed and yield empty segments).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        int start = 0;
        foreach (int cut in cuts)
        {
            pieces.Add(data.AsMemory(start, cut - start));
            start = cut;
        }

        pieces.Add(data.AsMemory(start));
        return Create(pieces);
    }

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        data.Length == 0 ? ReadOnlySequence<byte>.Empty : Create([.. Enumerable.Range(0, data.Length).Select(i => (ReadOnlyMemory<byte>)data.AsMemory(i, 1))]);

    private static ReadOnlySequence<byte> Create(List<ReadOnlyMemory<byte>> pieces)
    {
        var first = new Segment(pieces[0], 0);
        Segment last = first;
        for (int i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
