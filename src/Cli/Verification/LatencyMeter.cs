using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;

namespace ModelGen.Cli.Verification;

/// <summary>
/// One engine's latency, in microseconds: the first call, the median of calls 2–11 (what an application sees right
/// after start-up, while the JIT may still be tiering code up), and the steady state: the median of
/// <see cref="Runs"/> calls once warm-up has settled.
/// </summary>
public sealed record LatencyReport
{
    public double FirstCallMicros { get; init; }
    /// <summary>Median of calls 2 to 1 + <see cref="LatencyMeter.EarlyCalls"/>.</summary>
    public double EarlyMedianMicros { get; init; }
    public double SteadyMicros { get; init; }
    /// <summary>Timed steady-state calls (at least the requested --runs; more when they are interleaved in blocks).</summary>
    public int Runs { get; init; }
    /// <summary>Calls made between the early calls and the timed steady-state calls.</summary>
    public int WarmupCalls { get; init; }
    public double WarmupMilliseconds { get; init; }
    /// <summary>
    /// True when warm-up ended because the JIT had settled (the last batch compiled no method and its median agreed
    /// with the batch before within <see cref="LatencyMeter.StableTolerance"/>); false when it hit the time cap.
    /// </summary>
    public bool Settled { get; init; }
}

/// <summary>
/// Times a call the way <c>modelgen verify</c> reports it. Warm-up runs in batches of at least
/// <see cref="MinBatch"/> (longer than the runtime's 100 ms tiering delay, so a batch sees any tier-up it triggers)
/// and <see cref="MinBatchCalls"/> calls, until a batch compiles no method (System.Runtime.JitInfo, all threads) and
/// its median is within <see cref="StableTolerance"/> of the previous batch's, or until the time cap. The meter's own
/// methods are compiled optimized up front, so their tiering does not count as the model's.
/// </summary>
public static class LatencyMeter
{
    public const int EarlyCalls = 10;
    public const int MinBatchCalls = 5;
    public const double StableTolerance = 0.10;
    public static readonly TimeSpan MinBatch = TimeSpan.FromMilliseconds(250);

    /// <summary>Target length of one engine's block of calls in the interleaved steady-state rounds.</summary>
    public static readonly TimeSpan BlockTarget = TimeSpan.FromMilliseconds(2);
    public const int MinRounds = 10;

    /// <summary>One engine alone: early calls, warm-up, then <paramref name="runs"/> timed calls.</summary>
    /// <param name="call">The call to time (already made once: its time is <paramref name="firstCallMicros"/>).</param>
    /// <param name="runs">Timed steady-state calls after warm-up.</param>
    /// <param name="maxWarmup">Cap on the warm-up time; warm-up always runs at least two batches.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LatencyReport Measure(Action call, double firstCallMicros, int runs, TimeSpan maxWarmup)
    {
        if (runs < 1) throw new ArgumentException($"Expected at least 1 timed run, got {runs}.", nameof(runs));
        var warm = WarmUp(call, firstCallMicros, maxWarmup);
        var steady = new double[runs];
        for (int i = 0; i < steady.Length; i++) steady[i] = Time(call);
        return warm with { SteadyMicros = Median(steady), Runs = runs };
    }

    /// <summary>
    /// Two engines: each gets its early calls and warm-up in turn, then the steady-state calls are timed in rounds that
    /// alternate a block of about <see cref="BlockTarget"/> of calls of each (at least <see cref="MinRounds"/> rounds
    /// and <paramref name="runs"/> calls per engine), so both see the same load on a shared machine while each block
    /// keeps its own caches warm.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (LatencyReport A, LatencyReport B) MeasurePair(Action a, double firstA, Action b, double firstB, int runs, TimeSpan maxWarmup)
    {
        if (runs < 1) throw new ArgumentException($"Expected at least 1 timed run, got {runs}.", nameof(runs));
        var warmA = WarmUp(a, firstA, maxWarmup);
        var warmB = WarmUp(b, firstB, maxWarmup);
        int blockA = BlockCalls(warmA.SteadyMicros), blockB = BlockCalls(warmB.SteadyMicros);
        int rounds = Math.Max(MinRounds, Math.Max((runs + blockA - 1) / blockA, (runs + blockB - 1) / blockB));
        var timesA = new double[rounds * blockA];
        var timesB = new double[rounds * blockB];
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < blockA; i++) timesA[r * blockA + i] = Time(a);
            for (int i = 0; i < blockB; i++) timesB[r * blockB + i] = Time(b);
        }
        return (warmA with { SteadyMicros = Median(timesA), Runs = timesA.Length },
                warmB with { SteadyMicros = Median(timesB), Runs = timesB.Length });
    }

    private static int BlockCalls(double micros) =>
        micros <= 0 ? 1 : (int)Math.Clamp(BlockTarget.TotalMicroseconds / micros, 1, 100_000);

    /// <summary>
    /// The early calls, then warm-up batches until settled or capped. The result's SteadyMicros is the last batch's
    /// median (an estimate; callers replace it with their timed runs) and Runs is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static LatencyReport WarmUp(Action call, double firstCallMicros, TimeSpan maxWarmup)
    {
        var early = new double[EarlyCalls];
        for (int i = 0; i < early.Length; i++) early[i] = Time(call);

        var warmup = Stopwatch.StartNew();
        int warmupCalls = 0;
        double previous = double.NaN, median = 0;
        bool settled = false;
        var batch = new List<double>();
        while (true)
        {
            long compiledBefore = JitInfo.GetCompiledMethodCount();
            batch.Clear();
            long start = Stopwatch.GetTimestamp();
            while (batch.Count < MinBatchCalls || Stopwatch.GetElapsedTime(start) < MinBatch) batch.Add(Time(call));
            warmupCalls += batch.Count;
            bool quiet = JitInfo.GetCompiledMethodCount() == compiledBefore;
            median = Median(batch.ToArray());
            bool stable = !double.IsNaN(previous) && Math.Abs(median - previous) <= StableTolerance * Math.Min(median, previous);
            if (quiet && stable)
            {
                settled = true;
                break;
            }
            previous = median;
            if (warmup.Elapsed >= maxWarmup && warmupCalls > batch.Count) break;
        }
        return new LatencyReport
        {
            FirstCallMicros = firstCallMicros,
            EarlyMedianMicros = Median(early),
            SteadyMicros = median,
            Runs = 0,
            WarmupCalls = warmupCalls,
            WarmupMilliseconds = warmup.Elapsed.TotalMilliseconds,
            Settled = settled,
        };
    }

    /// <summary>Microseconds one call takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Time(Action call)
    {
        long start = Stopwatch.GetTimestamp();
        call();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    /// <summary>The middle value (the mean of the two middle values for an even count); sorts a copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Median(double[] values)
    {
        if (values.Length == 0) throw new ArgumentException("Expected at least one value.", nameof(values));
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
