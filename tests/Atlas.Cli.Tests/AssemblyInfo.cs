// CLI tests run the real program and share its data cache: one at a time keeps them independent and the 2-core CI calm.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
