using System.Diagnostics;
using System.Text.RegularExpressions;
using Atlas.Cli.Hosting;

namespace Atlas.Cli.Tests;

/// <summary>
/// docker-compose.yml and the Kubernetes manifests cannot be run here (no Docker engine or cluster),
/// so they are kept honest: they may use only the variables the program reads, set the ones a silo
/// needs, and the compose file must pass `docker-compose config`.
/// </summary>
public partial class DeploymentFilesTests
{
    [GeneratedRegex(@"\bATLAS_[A-Z_]+\b")]
    private static partial Regex AtlasVariable();

    public static TheoryData<string> Files => new() { "docker-compose.yml", "infra/k8s/silo.yaml", "infra/Dockerfile" };

    [Theory]
    [MemberData(nameof(Files))]
    public void Deployment_files_use_only_variables_the_program_reads(string file)
    {
        var text = File.ReadAllText(Path.Combine(TestData.RepoRoot, file));
        var used = AtlasVariable().Matches(text).Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, ClusterSettings.VariableNames));
    }

    [Theory]
    [InlineData("docker-compose.yml")]
    [InlineData("infra/k8s/silo.yaml")]
    public void Silos_are_given_storage_and_a_cluster_identity(string file)
    {
        var text = File.ReadAllText(Path.Combine(TestData.RepoRoot, file));
        foreach (var required in new[] { ClusterSettings.ConnectionVariable, "ATLAS_CLUSTER_ID", "ATLAS_SERVICE_ID", "ATLAS_ADVERTISED_IP" })
            Assert.Contains(required, text);
    }

    [Fact]
    public async Task Compose_file_is_valid()
    {
        var tool = File.Exists("/usr/bin/docker-compose") ? ("docker-compose", "config -q") : ("docker", "compose config -q");
        var start = new ProcessStartInfo(tool.Item1, tool.Item2) { WorkingDirectory = TestData.RepoRoot, RedirectStandardError = true, RedirectStandardOutput = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("neither docker-compose nor docker is installed; `bash scripts/test.sh` installs docker-compose");
        }
        using (process)
        {
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{tool.Item1} {tool.Item2} failed: {error}");
        }
    }
}
