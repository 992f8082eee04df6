using System.Buffers.Binary;
using System.Text.Json;

namespace QuoteHelper.Verification.Internal;

/// <summary>One QE TCB level (dcap-quote.md §5.2).</summary>
internal sealed record QeTcbLevel(int IsvSvn, TcbStatus Status, DateTimeOffset TcbDate, string[] AdvisoryIds);

/// <summary>A QE Identity v2 (dcap-quote.md §5.2) parsed from bytes whose signature has been verified (step 7).</summary>
internal sealed class QeIdentity
{
    public required string Id { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset IssueDate { get; init; }
    public required DateTimeOffset NextUpdate { get; init; }
    public required uint MiscSelect { get; init; }
    public required uint MiscSelectMask { get; init; }
    public required byte[] Attributes { get; init; }
    public required byte[] AttributesMask { get; init; }
    public required byte[] MrSigner { get; init; }
    public required int IsvProdId { get; init; }

    /// <summary>Levels in JSON order: QVL walks them as served (§5.6 step 5).</summary>
    public required IReadOnlyList<QeTcbLevel> Levels { get; init; }

    /// <exception cref="InvalidDataException">Not the JSON of §5.2.</exception>
    public static QeIdentity Parse(byte[] json)
    {
        using var document = SignedJson.Open(json);
        var root = document.RootElement;
        var levelsElement = SignedJson.Get(root, "tcbLevels", JsonValueKind.Array);
        SignedJson.CheckedCount(levelsElement, "tcbLevels", SignedJson.MaxLevels);
        var levels = levelsElement.EnumerateArray()
            .Select(level => new QeTcbLevel(
                SignedJson.Int(SignedJson.Get(level, "tcb", JsonValueKind.Object), "isvsvn", ushort.MaxValue),
                SignedJson.Status(level), SignedJson.Date(level, "tcbDate"), SignedJson.Advisories(level)))
            .ToList();
        // Hex strings are in report memory order: miscselect compares as a little-endian u32 (§5.2).
        return new QeIdentity
        {
            Id = SignedJson.Text(root, "id"),
            Version = SignedJson.Int(root, "version"),
            IssueDate = SignedJson.Date(root, "issueDate"),
            NextUpdate = SignedJson.Date(root, "nextUpdate"),
            MiscSelect = BinaryPrimitives.ReadUInt32LittleEndian(SignedJson.HexBytes(root, "miscselect", 4)),
            MiscSelectMask = BinaryPrimitives.ReadUInt32LittleEndian(SignedJson.HexBytes(root, "miscselectMask", 4)),
            Attributes = SignedJson.HexBytes(root, "attributes", 16),
            AttributesMask = SignedJson.HexBytes(root, "attributesMask", 16),
            MrSigner = SignedJson.HexBytes(root, "mrsigner", 32),
            IsvProdId = SignedJson.Int(root, "isvprodid", ushort.MaxValue),
            Levels = levels,
        };
    }
}
