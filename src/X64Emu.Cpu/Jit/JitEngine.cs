using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Jit;

/// <summary>
/// The compiled tier of one block cache: decides which blocks to compile, compiles them (on a shared
/// background thread, or at once in <see cref="JitMode.Eager"/>) and publishes the result on the block.
/// </summary>
/// <remarks>
/// The interpreter stays the reference: a region is compiled from the same decoded blocks, calls the
/// interpreter's handler for every instruction it does not compile inline, and is dropped with its blocks.
/// A compiler failure is a bug in X64Emu; it is reported once on stderr and the block stays interpreted.
/// </remarks>
public sealed class JitEngine
{
    /// <summary>Block executions before a block is queued for compilation.</summary>
    public const int DefaultThreshold = 2000;

    private static readonly BlockingCollection<(JitEngine Engine, Block Block)> s_queue = new();
    private static Thread? s_worker;
    private static int s_reportedFailure;

    /// <summary>X64EMU_JIT_LOG=1: one stderr line per compiled region (entry, size, instructions left to handlers).</summary>
    internal static readonly bool Log = Environment.GetEnvironmentVariable("X64EMU_JIT_LOG") == "1";

    public JitEngine(BlockCache blocks, JitMode mode, int threshold = DefaultThreshold)
    {
        Blocks = blocks;
        Mode = mode;
        Threshold = mode == JitMode.Eager ? 0 : Math.Max(1, threshold);
    }

    public BlockCache Blocks { get; }

    public JitMode Mode { get; }

    /// <summary>Executions after which a block is compiled.</summary>
    public int Threshold { get; }

    /// <summary>Regions compiled, regions that failed to compile, and total compile time (for --stats).</summary>
    public long Compiled;

    public long Failed;

    public long CompileTicks;

    public long InlineInsns;

    public long FallbackInsns;

    /// <summary>Called by the dispatch loop when <paramref name="b"/> reached the threshold.</summary>
    public void Request(Block b)
    {
        if (Interlocked.CompareExchange(ref b.JitState, Block.JitQueued, Block.JitNone) != Block.JitNone)
        {
            return;
        }

        if (Mode == JitMode.Eager)
        {
            CompileNow(b);
            return;
        }

        EnsureWorker();
        s_queue.Add((this, b));
    }

    /// <summary>Compiles the region starting at <paramref name="b"/> and publishes it; false if it could not be.</summary>
    public bool CompileNow(Block b)
    {
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            if (!b.Valid || (b.Compiled is JitEntry e && e.Region.Valid))
            {
                return false; // stale, or compiled meanwhile as part of another block's region
            }

            JitRegion? region = RegionCompiler.Compile(this, b);
            if (region == null)
            {
                return false;
            }

            if (!Blocks.Publish(region))
            {
                return false; // a member was invalidated meanwhile; it will be decoded and compiled again
            }

            if (Log)
            {
                Console.Error.WriteLine($"x64emu-jit: 0x{b.Start:x}: {region.Blocks.Length} blocks, {region.InlineInsns} inline, {region.FallbackInsns} handlers, {region.IlSize} IL bytes: {string.Join("; ", region.FallbackLog!)}");
            }

            Interlocked.Increment(ref Compiled);
            Interlocked.Add(ref InlineInsns, region.InlineInsns);
            Interlocked.Add(ref FallbackInsns, region.FallbackInsns);
            return true;
        }
        catch (Exception e) when (Mode != JitMode.Eager)
        {
            Interlocked.Increment(ref Failed);
            if (Interlocked.Exchange(ref s_reportedFailure, 1) == 0)
            {
                Console.Error.WriteLine($"x64emu: internal error: JIT failed to compile the block at 0x{b.Start:x} (it stays interpreted; further failures are counted in --stats): {e}");
            }

            return false;
        }
        finally
        {
            b.JitState = Block.JitDone; // compiled or given up: not queued again
            Interlocked.Add(ref CompileTicks, Stopwatch.GetTimestamp() - t0);
        }
    }

    private static void EnsureWorker()
    {
        if (Volatile.Read(ref s_worker) != null)
        {
            return;
        }

        Thread t = new(Work) { IsBackground = true, Name = "x64emu-jit" };
        if (Interlocked.CompareExchange(ref s_worker, t, null) == null)
        {
            t.Start();
        }
    }

    private static void Work()
    {
        foreach ((JitEngine engine, Block block) in s_queue.GetConsumingEnumerable())
        {
            engine.CompileNow(block);
        }
    }
}
