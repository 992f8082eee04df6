using System.Security.Cryptography;

namespace QuoteHelper.Sgx.Tests;

/// <summary>
/// The vectors in tests/vectors are byte-exact copies of public files (each set's README gives its origin): every file
/// must match its set's SHA256SUMS, and every file must be listed there, so that neither an edit nor an unlisted file
/// slips in.
/// </summary>
public sealed class VectorIntegrityTests
{
    public static TheoryData<string> Sets => new("dcap-qvl-sample", "intel-qvl-sampledata");

    [Theory]
    [MemberData(nameof(Sets))]
    public void EveryFile_MatchesItsSha256Sum(string set)
    {
        var sums = File.ReadAllLines(TestVectors.Path(set, "SHA256SUMS"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split("  ", 2))
            .ToDictionary(parts => parts[1], parts => parts[0], StringComparer.Ordinal);

        var files = Directory.GetFiles(TestVectors.Path(set))
            .Select(Path.GetFileName)
            .Where(name => name is not ("README.md" or "SHA256SUMS"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(sums.Keys.Order(StringComparer.Ordinal), files);
        foreach (var name in files)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(TestVectors.ReadAllBytes(set, name!)));
            Assert.True(sums[name!] == actual, $"{set}/{name}: SHA-256 {actual}, SHA256SUMS says {sums[name!]}");
        }
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void EverySet_HasAReadme_WithOriginLicenceTimeAndResult(string set)
    {
        var readme = File.ReadAllText(TestVectors.Path(set, "README.md"));
        Assert.Contains("Evaluation time", readme, StringComparison.Ordinal);
        Assert.Contains("Expected result", readme, StringComparison.Ordinal);
        Assert.Contains("licence", readme, StringComparison.Ordinal);
        Assert.Contains("commit", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Vectors_AreReadFromTheCheckoutTheTestsRunFrom()
    {
        // <root>/tests/QuoteHelper.Sgx.Tests/bin/<configuration>/<tfm>/ -> <root>/tests/vectors
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        Assert.Equal(Path.Combine(root, "tests", "vectors"), TestVectors.Directory);
    }
}
