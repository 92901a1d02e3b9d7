using System;
using System.Runtime.CompilerServices;
using System.Threading;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>Highest canonical user address + 1 (2^47).</summary>
    private const ulong UserLimit = 1UL << 47;

    /// <summary>
    /// The TLB-miss path: walks the page tables like the MMU; if the leaf is present and allows the
    /// access, sets A/D, fills the TLB and returns the host address; otherwise runs the fault handler
    /// under the lock and retries.
    /// </summary>
    /// <returns><see cref="FaultKind.None"/>, or the fault (also stored in <see cref="Mmu.LastFault"/>).</returns>
    internal FaultKind Translate(Mmu mmu, ulong va, Access access, out byte* host)
    {
        host = null;
        if (va >= UserLimit)
        {
            // Canonical kernel-half addresses fault like unmapped memory; non-canonical ones raise #GP.
            FaultKind k = (long)va >> 47 == -1 ? FaultKind.MapErr : FaultKind.GeneralProtection;
            return Fail(mmu, k, access, va, 0);
        }

        // Second-level TLB: a 2 MiB / 1 GiB entry covering va refills the first level without a walk, unless
        // the page needs the slow path's code-page bookkeeping (first fetch, or a write to decoded code).
        Tlb.HugeTlbEntry* huge = mmu.Tlb.LookupHuge(va, access);
        if (huge != null)
        {
            byte* hugeHost = (byte*)(huge->Addend + (long)va);
            byte* pageHost = hugeHost - (long)(va & PageSizes.PageMask);
            FrameFlags pageFlags = _mem.Flags(_mem.FrameOfHost(pageHost));
            bool code = (pageFlags & FrameFlags.Code) != 0;
            if (access == Access.Read || (access == Access.Write && !code) || (access == Access.Fetch && code))
            {
                mmu.HugeHits++;
                mmu.Tlb.Fill(access, va & ~PageSizes.PageMask, pageHost);
                if (access != Access.Read)
                {
                    mmu.Tlb.Fill(Access.Read, va & ~PageSizes.PageMask, pageHost);
                }

                host = hugeHost;
                return FaultKind.None;
            }
        }

        for (int attempt = 0; attempt < 4; attempt++)
        {
            mmu.Walks++;
            ulong* slot = PageTable.Find(va, 1, out int level);
            ulong e = slot != null ? Volatile.Read(ref *slot) : 0;
            if ((e & Pte.Present) != 0 && PteAllows(e, access))
            {
                int pkey = Pte.PkeyOf(e);
                if (pkey != 0 && !PkruAllows(mmu.Pkru, pkey, access))
                {
                    return Fail(mmu, FaultKind.PkuErr, access, va, pkey);
                }

                ulong need = Pte.Accessed | (access == Access.Write ? Pte.Dirty : 0);
                if ((e & need) != need)
                {
                    ulong seen = Interlocked.CompareExchange(ref *slot, e | need, e);
                    if (seen != e)
                    {
                        continue; // changed under us (another CPU, or a fault): walk again
                    }

                    e |= need;
                }

                host = Fill(mmu, va, e, level, access);
                return FaultKind.None;
            }

            FaultKind fault;
            mmu.LeaveGuest();
            lock (_lock)
            {
                fault = HandleFaultLocked(va, access, mmu.Pkru, out int faultPkey);
                if (fault != FaultKind.None)
                {
                    mmu.EnterGuest();
                    return Fail(mmu, fault, access, va, faultPkey);
                }
            }

            mmu.EnterGuest();
            mmu.MinorFaults++;
        }

        ThrowHelper.ThrowInvalidOperation($"page fault at 0x{va:x} ({access}) resolved but the walk still fails");
        return FaultKind.None;
    }

    private static FaultKind Fail(Mmu mmu, FaultKind kind, Access access, ulong va, int pkey)
    {
        mmu.LastFault = new Fault(kind, access, va, pkey);
        return kind;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool PteAllows(ulong e, Access access) => access switch
    {
        Access.Write => (e & Pte.Writable) != 0,
        Access.Fetch => (e & Pte.NoExecute) == 0,
        _ => true,
    };

    /// <summary>PKRU check (SDM Vol.3 §4.6.2): AD denies data reads and writes, WD denies writes; fetches are not checked.</summary>
    internal static bool PkruAllows(uint pkru, int pkey, Access access)
    {
        if (access == Access.Fetch)
        {
            return true;
        }

        uint bits = pkru >> (2 * pkey);
        if ((bits & 1) != 0)
        {
            return false;
        }

        return access != Access.Write || (bits & 2) == 0;
    }

    /// <summary>Fills the TLB for <paramref name="va"/> from a permitted leaf and returns the host address.</summary>
    private byte* Fill(Mmu mmu, ulong va, ulong e, int level, Access access)
    {
        int shift = PageSizes.PageBits + (9 * (level - 1));
        ulong leafMask = (1UL << shift) - 1;
        long frame = Pte.FrameOf(e) & ~(long)(leafMask >> PageSizes.PageBits);
        byte* leafHost = _mem.HostOf(frame);
        ulong leafBase = va & ~leafMask;
        ulong page = va & ~PageSizes.PageMask;
        byte* pageHost = leafHost + (page - leafBase);
        long pageFrame = _mem.FrameOfHost(pageHost);

        FrameFlags flags = _mem.Flags(pageFrame);
        if (access == Access.Fetch && (flags & FrameFlags.Code) == 0)
        {
            _mem.AddFlags(pageFrame, FrameFlags.Code);
            flags |= FrameFlags.Code;
            if ((e & Pte.Writable) != 0)
            {
                // W^X off: a writable page became code; writes must now take the slow path.
                lock (_lock)
                {
                    ShootdownLocked(page, page + PageSizes.PageSize);
                }
            }
        }

        if (access == Access.Write && (flags & FrameFlags.Code) != 0)
        {
            // Self-modifying code: never cache the write, and drop blocks decoded from this page.
            lock (_lock)
            {
                NotifyCodeLocked(page, page + PageSizes.PageSize);
            }

            return pageHost + (va & PageSizes.PageMask);
        }

        mmu.Tlb.Fill(access, page, pageHost);
        int leafPkey = Pte.PkeyOf(e);
        if ((access == Access.Write || access == Access.Fetch) && (leafPkey == 0 || PkruAllows(mmu.Pkru, leafPkey, Access.Read)))
        {
            // A write or fetch implies the page is readable too: save the next read its miss.
            mmu.Tlb.Fill(Access.Read, page, pageHost);
        }

        if (level > 1 && leafPkey == 0)
        {
            uint allowed = 1u << (int)Access.Read;
            if ((e & Pte.NoExecute) == 0)
            {
                allowed |= 1u << (int)Access.Fetch;
            }

            if ((e & (Pte.Writable | Pte.Dirty)) == (Pte.Writable | Pte.Dirty) && Pte.PkeyOf(e) == 0)
            {
                allowed |= 1u << (int)Access.Write;
            }

            mmu.Tlb.FillHuge(leafBase, leafMask, leafHost, allowed);
        }

        return pageHost + (va & PageSizes.PageMask);
    }
}
