namespace Atlas.Core.Tests.Models;

/// <summary>Where the repository and the shared PyTorch fixtures are, seen from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/fixtures/googlenet-pytorch relative to the repository root.</summary>
    public static string GoogLeNetFixture => Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures", "googlenet-pytorch"));

    public static bool HasGoogLeNetFixture =>
        File.Exists(Path.Combine(GoogLeNetFixture, "reference.json")) && File.Exists(Path.Combine(GoogLeNetFixture, "googlenet_fp16.pth"));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Atlas.sln"))) return folder.FullName;
        }
        throw new InvalidOperationException($"no Atlas.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fact that is skipped, with the reason shown, when the PyTorch reference fixture is absent.</summary>
public sealed class GoogLeNetFixtureFactAttribute : FactAttribute
{
    public GoogLeNetFixtureFactAttribute()
    {
        if (!RepositoryPaths.HasGoogLeNetFixture)
            Skip = $"PyTorch reference fixture not found at {RepositoryPaths.GoogLeNetFixture} (expected ../shared/fixtures/googlenet-pytorch beside the repository)";
    }
}

/// <summary>A temporary folder removed when the test ends.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"atlas-test-{Guid.NewGuid():N}");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
