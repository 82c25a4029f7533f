namespace Atlas.Grains.Watchers;

/// <summary>The checkpoint itself cannot become an atlas (corrupt, not a model of the configured architecture): recorded once, never retried.</summary>
public sealed class CheckpointRejectedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The watcher's config cannot be served right now (data set missing, unknown layer): no checkpoint is blamed, the tick is retried.</summary>
public sealed class WatchConfigException(string message, Exception? inner = null) : Exception(message, inner);
