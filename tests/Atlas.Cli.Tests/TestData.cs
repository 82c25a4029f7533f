using Atlas.Core.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Cli.Tests;

/// <summary>Where tests find the repository and the real demo data (fetched once per machine into .tools/test-data).</summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string FashionMnistFolder()
    {
        var folder = Path.Combine(RepoRoot, ".tools", "test-data", "fashion-mnist");
        FashionMnist.Ensure(folder, NullLogger.Instance);
        return folder;
    }

    public static string NewTempFolder(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "atlas-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atlas.sln"))) return dir.FullName;
        throw new InvalidOperationException("Atlas.sln not found above " + AppContext.BaseDirectory);
    }
}
