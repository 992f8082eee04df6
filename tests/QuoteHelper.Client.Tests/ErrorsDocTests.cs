using System.Net.Sockets;

namespace QuoteHelper.Client.Tests;

/// <summary>docs/errors.md §5.1 lists the connect-failure messages word for word: they must be the ones the code prints.</summary>
public sealed class ErrorsDocTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("`ENOENT`, directory present", SocketError.AddressNotAvailable, true)]
    [InlineData("`ENOENT`, directory missing", SocketError.AddressNotAvailable, false)]
    [InlineData("`ECONNREFUSED`", SocketError.ConnectionRefused, true)]
    [InlineData("`EACCES`", SocketError.AccessDenied, true)]
    public void ConnectFailureTable_RowMessage_IsTheDescription(string row, SocketError error, bool directoryExists)
    {
        var directory = directoryExists ? _temp.Path : _temp.Combine("absent");
        var path = Path.Combine(directory, "aesm.socket");

        var failure = new AesmConnectFailure(path, error);

        var documented = DocumentedMessage(row).Replace("PATH", path, StringComparison.Ordinal).Replace("DIR", directory, StringComparison.Ordinal);
        Assert.Equal(documented, failure.Description);
        Assert.Equal(row.Split('`')[1], failure.ErrorName);
    }

    // The second cell of the row "| <row> | `<message>` | … |" in the table of §5.1.
    private static string DocumentedMessage(string row)
    {
        var line = Assert.Single(File.ReadLines(Path.Combine(RepositoryRoot.Path, "docs", "errors.md")), l => l.StartsWith($"| {row} |", StringComparison.Ordinal));
        return line.Split(" | ")[1].Trim('`');
    }
}
