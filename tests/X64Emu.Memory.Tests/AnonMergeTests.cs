using X64Emu.Memory;
using X64Emu.Memory.Vmas;
using Xunit;

namespace X64Emu.Memory.Tests;

/// <summary>Linux 6.18's anon_vma rules for merging adjacent anonymous VMAs (is_mergeable_anon_vma, find_mergeable_anon_vma).</summary>
public class AnonMergeTests
{
    private const ulong Page = PageSizes.PageSize;

    private static int VmasIn(AddressSpace s, ulong start, ulong end)
    {
        return s.WithLock(sp =>
        {
            int n = 0;
            for (ulong va = start; va < end;)
            {
                Vma? v = sp.FindVmaLocked(va);
                if (v == null)
                {
                    va += Page;
                    continue;
                }

                n++;
                va = v.End;
            }

            return n;
        });
    }

    [Fact]
    public void Protect_LockedBecomingWritable_MergesBeforePopulating()
    {
        using MemoryFixture f = new();
        f.Space.WxEnforced = false;
        ulong b = f.MapAnon(5 * Page, Prot.None);
        ulong p = b + Page;
        Assert.Equal(MmStatus.NoMemory, f.Space.Lock(p, 3 * Page, onFault: false)); // locks, fails to populate PROT_NONE
        Assert.Equal(MmStatus.Ok, f.Space.Protect(p + Page, 2 * Page, Prot.Read | Prot.Exec));
        Assert.Equal(MmStatus.Ok, f.Space.Protect(p + (2 * Page), Page, Prot.Read | Prot.Write | Prot.Exec));
        Assert.Equal(1, f.Space.RssAnon); // populated: its own anon_vma

        Assert.Equal(MmStatus.Ok, f.Space.Protect(p, 3 * Page, Prot.Read | Prot.Write));

        // [p, p+2) got a new anon_vma when its first piece was populated; the third keeps its own.
        Assert.Equal(2, VmasIn(f.Space, p, p + (3 * Page)));
        Assert.Equal(3, f.Space.RssAnon);
    }

    [Fact]
    public void Fork_ChildVmaWithPages_DoesNotMergeWithNewNeighbour()
    {
        using MemoryFixture f = new();
        ulong b = f.MapAnon(4 * Page, Prot.None);
        Assert.Equal(MmStatus.Ok, f.Space.Protect(b, Page, Prot.Read | Prot.Write));
        Assert.True(f.Mmu.TryWrite8(b, 1));
        using AddressSpace child = f.Space.Fork()!;

        Assert.Equal(MmStatus.Ok, child.Protect(b + Page, Page, Prot.Read | Prot.Write));
        Assert.Equal(MmStatus.Ok, f.Space.Protect(b + Page, Page, Prot.Read | Prot.Write));

        Assert.Equal(2, VmasIn(child, b, b + (2 * Page))); // the child's anon_vma chain is not singular
        Assert.Equal(1, VmasIn(f.Space, b, b + (2 * Page)));
        child.CheckInvariants();
    }

    [Fact]
    public void Fork_ChildSplitOfInheritedVma_Rejoins()
    {
        using MemoryFixture f = new();
        ulong b = f.MapAnon(3 * Page);
        Assert.True(f.Mmu.TryWrite8(b, 1));
        using AddressSpace child = f.Space.Fork()!;

        Assert.Equal(MmStatus.Ok, child.Protect(b + Page, Page, Prot.Read));
        Assert.Equal(3, VmasIn(child, b, b + (3 * Page)));
        Assert.Equal(MmStatus.Ok, child.Protect(b + Page, Page, Prot.Read | Prot.Write));
        Assert.Equal(1, VmasIn(child, b, b + (3 * Page))); // the pieces share one anon_vma
    }

    [Fact]
    public void Remap_GrowInPlaceOfInheritedVma_MergesWithNextWithoutPages()
    {
        using MemoryFixture f = new();
        ulong b = f.MapAnon(3 * Page);
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(b + Page, Page));
        Assert.True(f.Mmu.TryWrite8(b, 1));
        using AddressSpace child = f.Space.Fork()!;

        Assert.Equal(MmStatus.Ok, child.Remap(b, Page, 2 * Page, RemapFlags.None, 0, out ulong r));
        Assert.Equal(b, r);
        Assert.Equal(1, VmasIn(child, b, b + (3 * Page))); // vma_merge_extend judges only the neighbour
    }
}
