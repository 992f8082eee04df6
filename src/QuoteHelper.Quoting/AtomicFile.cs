namespace QuoteHelper.Quoting;

/// <summary>
/// Writes a file so that readers see the old content or the new, never a mix, and a crash never leaves it half
/// written: a uniquely named temporary file in the same directory, created with its final mode, flushed to disk,
/// then renamed over the target (rename(2) is atomic within a filesystem).
/// </summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>, created with <paramref name="mode"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!,
            $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
