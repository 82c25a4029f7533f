namespace Atlas.Site;

/// <summary>
/// How far one step of a publish has come: a version's images placed in the site, its pages written, or the site's
/// files sent to a blob container. <paramref name="Step"/> names it for a progress bar ("googlenet/v1: images").
/// </summary>
public sealed record SiteProgress(string Step, long Done, long Total);

/// <summary>
/// Counts one step's items, from any thread, and tells <see cref="SiteOptions.Counts"/> at the start, about every
/// half percent and at the end: a bar then moves smoothly without a callback for each of 100,000 files.
/// </summary>
internal sealed class StepCounter
{
    private readonly Action<SiteProgress>? _counts;
    private readonly string _step;
    private readonly long _total;
    private readonly long _interval;
    private long _done;
    private readonly object _reporting = new();
    private long _reported;

    public StepCounter(Action<SiteProgress>? counts, string step, long total)
    {
        _counts = counts;
        _step = step;
        _total = total;
        _interval = Math.Max(1, total / 200);
        _counts?.Invoke(new SiteProgress(step, 0, total));
    }

    public void Advance(int count = 1)
    {
        var done = Interlocked.Add(ref _done, count);
        if (_counts is null || (done / _interval == (done - count) / _interval && done != _total)) return;
        // Threads that counted in one order can get here in the other: a count older than one already told would move
        // the bar back, and could be the last it hears (a step that ends short of its total).
        lock (_reporting)
        {
            if (done <= _reported) return;
            _reported = done;
            _counts(new SiteProgress(_step, done, _total));
        }
    }
}
