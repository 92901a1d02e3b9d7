using System;
using System.Collections.Generic;
using System.Threading;
using Iced.Intel;
using X64Emu.Cpu.Jit;
using X64Emu.Memory;

namespace X64Emu.Cpu.Decode;

/// <summary>
/// Decoded blocks of one address space, keyed by guest address, invalidated when the pages they
/// came from are unmapped, reprotected or written (it is the space's <see cref="ICodeObserver"/>).
/// </summary>
/// <remarks>
/// Lock order: decoding runs without <see cref="_lock"/> (it may fault, which takes the address-space
/// lock); invalidation arrives under the address-space lock and takes <see cref="_lock"/>. A block
/// decoded while an invalidation happened is discarded and decoded again (generation check).
/// </remarks>
public sealed class BlockCache : ICodeObserver
{
    /// <summary>Longest block, in instructions.</summary>
    public const int MaxBlockInsns = 64;

    private readonly object _lock = new();
    private readonly Dictionary<ulong, Block> _blocks = new();
    private readonly Dictionary<ulong, List<Block>> _byPage = new();
    private long _generation;

    [ThreadStatic]
    private static DecoderState? t_decoder;

    public BlockCache(AddressSpace space)
    {
        space.SetCodeObserver(this);
    }

    /// <summary>The compiled tier, or null when running interpreter-only.</summary>
    public JitEngine? Jit { get; private set; }

    /// <summary>Turns the compiled tier on (or off with <see cref="JitMode.Off"/>) for blocks run from now on.</summary>
    public void SetJit(JitMode mode, int threshold = JitEngine.DefaultThreshold)
    {
        Jit = mode == JitMode.Off ? null : new JitEngine(this, mode, threshold);
    }

    /// <summary>A valid decoded block starting at <paramref name="rip"/>, if there is one (never decodes).</summary>
    public Block? TryGet(ulong rip)
    {
        lock (_lock)
        {
            return _blocks.TryGetValue(rip, out Block? b) && b.Valid ? b : null;
        }
    }

    /// <summary>
    /// Makes a compiled region visible: registers it with its blocks so that invalidating any of them
    /// invalidates it, then attaches it to its entry. False if a member was invalidated meanwhile.
    /// </summary>
    public bool Publish(JitRegion region)
    {
        lock (_lock)
        {
            foreach (Block b in region.Blocks)
            {
                if (!b.Valid)
                {
                    return false;
                }
            }

            for (int i = 0; i < region.Blocks.Length; i++)
            {
                Block b = region.Blocks[i];
                (b.Dependents ??= new List<JitRegion>()).Add(region);

                // Every member becomes an entry (a loop is often first entered in its middle); a member
                // that already has valid compiled code keeps it, except the region's own entry.
                JitEntry? old = b.Compiled;
                if (i == 0 || old == null || !old.Region.Valid)
                {
                    b.Compiled = new JitEntry(region, i);
                }

                b.JitState = Block.JitDone;
            }

            return true;
        }
    }

    /// <summary>Blocks decoded so far (for --stats).</summary>
    public long Decoded;

    /// <summary>Blocks thrown away by invalidation.</summary>
    public long Invalidated;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _blocks.Count;
            }
        }
    }

    /// <summary>
    /// The block starting at <paramref name="rip"/>, decoding it if needed; null when its first
    /// instruction cannot be fetched (<see cref="ExitReason.PageFault"/>, details in the MMU) or decoded.
    /// </summary>
    public Block? GetOrDecode(Cpu cpu, ulong rip, out ExitReason failure)
    {
        failure = ExitReason.Continue;
        while (true)
        {
            long generation;
            lock (_lock)
            {
                if (_blocks.TryGetValue(rip, out Block? cached) && cached.Valid)
                {
                    return cached;
                }

                generation = _generation;
            }

            DecoderState state = t_decoder ??= new DecoderState();
            Block? block = state.Decode(cpu, rip, out failure);
            if (block == null)
            {
                cpu.R.Rip = rip;
                return null;
            }

            lock (_lock)
            {
                if (generation != _generation)
                {
                    continue; // something was invalidated meanwhile: the bytes may be stale
                }

                if (_blocks.TryGetValue(rip, out Block? other) && other.Valid)
                {
                    return other;
                }

                _blocks[rip] = block;
                AddToPage(block.Start & ~PageSizes.PageMask, block);
                ulong lastPage = (block.End - 1) & ~PageSizes.PageMask;
                if (lastPage != (block.Start & ~PageSizes.PageMask))
                {
                    AddToPage(lastPage, block);
                }

                Decoded++;
                return block;
            }
        }
    }

    private void AddToPage(ulong page, Block block)
    {
        if (!_byPage.TryGetValue(page, out List<Block>? list))
        {
            list = new List<Block>();
            _byPage.Add(page, list);
        }

        list.Add(block);
    }

    /// <inheritdoc/>
    public void InvalidateCode(ulong start, ulong end)
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _generation);
            ulong first = start & ~PageSizes.PageMask;
            ulong pages = (end - first + PageSizes.PageMask) >> PageSizes.PageBits;
            if (pages > (ulong)_byPage.Count)
            {
                List<ulong>? hit = null;
                foreach (ulong page in _byPage.Keys)
                {
                    if (page >= first && page < end)
                    {
                        (hit ??= new List<ulong>()).Add(page);
                    }
                }

                if (hit != null)
                {
                    foreach (ulong page in hit)
                    {
                        DropPage(page);
                    }
                }
            }
            else
            {
                for (ulong page = first; page < end; page += PageSizes.PageSize)
                {
                    DropPage(page);
                }
            }
        }
    }

    private void DropPage(ulong page)
    {
        if (!_byPage.Remove(page, out List<Block>? list))
        {
            return;
        }

        foreach (Block b in list)
        {
            if (b.Valid)
            {
                b.Invalidate();
                Invalidated++;
            }

            if (_blocks.TryGetValue(b.Start, out Block? current) && ReferenceEquals(current, b))
            {
                _blocks.Remove(b.Start);
            }
        }
    }

    /// <summary>Per-thread Iced decoder and scratch buffer, reused across blocks.</summary>
    private sealed class DecoderState
    {
        private readonly GuestCodeReader _reader = new();
        private readonly Decoder _decoder;
        private readonly Insn[] _scratch = new Insn[MaxBlockInsns + 1];

        public DecoderState()
        {
            _decoder = Decoder.Create(64, _reader, DecoderOptions.None);
        }

        public unsafe Block? Decode(Cpu cpu, ulong rip, out ExitReason failure)
        {
            failure = ExitReason.Continue;
            _reader.Reset(cpu.Mmu, rip);
            _decoder.IP = rip;
            int n = 0;
            ulong end = rip;
            bool terminated = false;
            while (n < MaxBlockInsns)
            {
                _decoder.Decode(out Instruction ins);
                if (ins.IsInvalid)
                {
                    if (n > 0)
                    {
                        break; // end the block before it; it starts the next block and faults there
                    }

                    if (_reader.Faulted)
                    {
                        failure = ExitReason.PageFault;
                        return null;
                    }

                    // A one-instruction block that raises #UD when run, so RIP and the signal are exact.
                    _scratch[0] = default;
                    Translator.MakeInvalid(ref _scratch[0], rip, 1, 0);
                    return Finish(rip, rip + 1, 1, _reader.Captured);
                }

                ref Insn d = ref _scratch[n];
                d = default;
                terminated = Translator.Translate(ref d, in ins);
                n++;
                end = ins.NextIP;
                if (terminated)
                {
                    break;
                }
            }

            if (!terminated)
            {
                // Length limit, or an undecodable instruction follows: continue at the next address.
                _scratch[n] = default;
                Translator.MakeFallThrough(ref _scratch[n], end);
                n++;
            }

            return Finish(rip, end, n, _reader.Captured);
        }

        private Block Finish(ulong start, ulong end, int n, ReadOnlySpan<byte> captured)
        {
            Translator.Fuse(_scratch.AsSpan(0, n));
            Insn[] insns = new Insn[n];
            Array.Copy(_scratch, insns, n);
            int length = (int)(end - start);
            byte[] code = length <= captured.Length ? captured[..length].ToArray() : Array.Empty<byte>();
            return new Block(start, end, insns, n, code);
        }
    }
}
