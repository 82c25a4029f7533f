namespace Atlas.Core.Tests.Models;

/// <summary>
/// Tests that build networks (whose initialization draws from TorchSharp's process-wide generator) run
/// in this collection, after the parallel ones and one at a time, so they never shift the random state
/// of a test elsewhere that seeds the global generator and then builds a model.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRandomCollection
{
    public const string Name = "global torch random state";
}
