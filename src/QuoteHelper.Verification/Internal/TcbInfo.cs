using System.Globalization;
using System.Text.Json;

namespace QuoteHelper.Verification.Internal;

/// <summary>One platform TCB level (dcap-quote.md §5.1).</summary>
internal sealed record TcbLevel(byte[] Components, int PceSvn, TcbStatus Status, DateTimeOffset TcbDate, string[] AdvisoryIds);

/// <summary>
/// A TCB Info v2 or v3 (dcap-quote.md §5.1) parsed from bytes whose signature has already been verified (step 6);
/// nothing else constructs one. Levels are ordered as QVL orders them, not by JSON order (§5.5).
/// </summary>
internal sealed class TcbInfo
{
    public required int Version { get; init; }
    public required string Id { get; init; }
    public required DateTimeOffset IssueDate { get; init; }
    public required DateTimeOffset NextUpdate { get; init; }
    public required byte[] Fmspc { get; init; }
    public required byte[] PceId { get; init; }
    public required int TcbType { get; init; }
    public required int EvaluationDataNumber { get; init; }
    public required IReadOnlyList<TcbLevel> Levels { get; init; }

    /// <exception cref="InvalidDataException">Not the JSON of §5.1.</exception>
    public static TcbInfo Parse(byte[] json)
    {
        using var document = SignedJson.Open(json);
        var root = document.RootElement;
        var version = SignedJson.Int(root, "version");
        // v2 has no id and is SGX-only; v3 names SGX or TDX.
        var id = version >= 3 ? SignedJson.Text(root, "id") : "SGX";
        var levelsElement = SignedJson.Get(root, "tcbLevels", JsonValueKind.Array);
        SignedJson.CheckedCount(levelsElement, "tcbLevels", SignedJson.MaxLevels);
        var levels = new List<TcbLevel>();
        foreach (var level in levelsElement.EnumerateArray())
        {
            var tcb = SignedJson.Get(level, "tcb", JsonValueKind.Object);
            var components = new byte[16];
            if (version >= 3)
            {
                var array = SignedJson.Get(tcb, "sgxtcbcomponents", JsonValueKind.Array);
                if (array.GetArrayLength() != 16)
                {
                    throw new InvalidDataException("sgxtcbcomponents must hold 16 entries");
                }

                var i = 0;
                foreach (var component in array.EnumerateArray())
                {
                    components[i++] = (byte)SignedJson.Int(component, "svn", 255);
                }
            }
            else
            {
                for (var i = 0; i < 16; i++)
                {
                    components[i] = (byte)SignedJson.Int(tcb, string.Create(CultureInfo.InvariantCulture, $"sgxtcbcomp{i + 1:D2}svn"), 255);
                }
            }

            levels.Add(new TcbLevel(components, SignedJson.Int(tcb, "pcesvn", ushort.MaxValue), SignedJson.Status(level),
                SignedJson.Date(level, "tcbDate"), SignedJson.Advisories(level)));
        }

        // QVL orders by the 16 components (lexicographic, descending), then PCESVN (dcap-quote.md §5.5 step 2).
        levels.Sort((a, b) =>
        {
            var byComponents = b.Components.AsSpan().SequenceCompareTo(a.Components);
            return byComponents != 0 ? byComponents : b.PceSvn.CompareTo(a.PceSvn);
        });

        return new TcbInfo
        {
            Version = version,
            Id = id,
            IssueDate = SignedJson.Date(root, "issueDate"),
            NextUpdate = SignedJson.Date(root, "nextUpdate"),
            Fmspc = SignedJson.HexBytes(root, "fmspc", 6),
            PceId = SignedJson.HexBytes(root, "pceId", 2),
            TcbType = SignedJson.Int(root, "tcbType"),
            EvaluationDataNumber = SignedJson.Int(root, "tcbEvaluationDataNumber"),
            Levels = levels,
        };
    }
}
