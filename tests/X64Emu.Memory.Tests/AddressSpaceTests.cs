using X64Emu.Memory;
using X64Emu.Memory.Vmas;
using Xunit;

namespace X64Emu.Memory.Tests;

public class AddressSpaceTests
{
    private const ulong Page = PageSizes.PageSize;

    [Fact]
    public void Map_Anonymous_ReadsZeroThenKeepsWrites()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(4 * Page);
        Assert.Equal(AddressSpace.DefaultMmapBase - (4 * Page), va);
        Assert.True(f.Mmu.TryRead64(va + 8, out ulong v));
        Assert.Equal(0UL, v);
        Assert.Equal(0, f.Space.RssAnon); // zero page is not RSS
        Assert.True(f.Mmu.TryWrite64(va + 8, 0x1122334455667788));
        Assert.True(f.Mmu.TryRead64(va + 8, out v));
        Assert.Equal(0x1122334455667788UL, v);
        Assert.Equal(1, f.Space.RssAnon);
        f.Space.CheckInvariants();
    }

    [Fact]
    public void Map_ConsecutiveAnonymous_MergeIntoOneVma()
    {
        using MemoryFixture f = new();
        ulong a = f.MapAnon(Page);
        ulong b = f.MapAnon(Page);
        Assert.Equal(a - Page, b);
        Assert.Equal(1, f.Space.MapCount);
    }

    [Fact]
    public void Access_CrossingPages_Works()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(2 * Page);
        Assert.True(f.Mmu.TryWrite64(va + Page - 3, 0xAABBCCDDEEFF0011));
        Assert.True(f.Mmu.TryRead64(va + Page - 3, out ulong v));
        Assert.Equal(0xAABBCCDDEEFF0011UL, v);
        Assert.Equal(2, f.Space.RssAnon);
    }

    [Fact]
    public void Unmap_ThenAccess_FaultsMapErr()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(3 * Page);
        Assert.True(f.Mmu.TryWrite8(va + Page, 1));
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(va + Page, Page));
        Assert.Equal(2, f.Space.MapCount);
        Assert.False(f.Mmu.TryRead8(va + Page, out _));
        Assert.Equal(FaultKind.MapErr, f.Mmu.LastFault.Kind);
        Assert.Equal(0, f.Space.RssAnon);
        Assert.True(f.Mmu.TryRead8(va, out _));
    }

    [Fact]
    public void Protect_ReadOnly_WriteFaultsAccErr_AndMergesBack()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(3 * Page);
        Assert.True(f.Mmu.TryWrite8(va + Page, 7));
        Assert.Equal(MmStatus.Ok, f.Space.Protect(va + Page, Page, Prot.Read));
        Assert.Equal(3, f.Space.MapCount);
        Assert.False(f.Mmu.TryWrite8(va + Page, 8));
        Assert.Equal(FaultKind.AccErr, f.Mmu.LastFault.Kind);
        Assert.True(f.Mmu.TryRead8(va + Page, out byte b));
        Assert.Equal(7, b);
        Assert.Equal(MmStatus.Ok, f.Space.Protect(va + Page, Page, Prot.Read | Prot.Write));
        Assert.Equal(1, f.Space.MapCount);
        Assert.True(f.Mmu.TryWrite8(va + Page, 9));
    }

    [Fact]
    public void Protect_None_KeepsPagesAndRestores()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(Page);
        Assert.True(f.Mmu.TryWrite8(va, 42));
        Assert.Equal(MmStatus.Ok, f.Space.Protect(va, Page, Prot.None));
        Assert.False(f.Mmu.TryRead8(va, out _));
        Assert.Equal(FaultKind.AccErr, f.Mmu.LastFault.Kind);
        Assert.Equal(1, f.Space.RssAnon);
        Assert.Equal(MmStatus.Ok, f.Space.Protect(va, Page, Prot.Read));
        Assert.True(f.Mmu.TryRead8(va, out byte b));
        Assert.Equal(42, b);
    }

    [Fact]
    public void Protect_Hole_FailsWithoutChangingAnything()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(3 * Page);
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(va + Page, Page));
        Assert.Equal(MmStatus.NoMemory, f.Space.Protect(va, 3 * Page, Prot.Read));
        Assert.True(f.Mmu.TryWrite8(va, 1)); // first part still writable: atomic
    }

    [Fact]
    public void WxPolicy_RefusesWriteExec()
    {
        using MemoryFixture f = new();
        Assert.Equal(MmStatus.AccessDenied, f.Space.Map(0, Page, Prot.Read | Prot.Write | Prot.Exec, MapFlags.None, null, 0, out _));
        ulong va = f.MapAnon(Page);
        Assert.Equal(MmStatus.AccessDenied, f.Space.Protect(va, Page, Prot.Read | Prot.Exec));
        ulong x = f.MapAnon(Page, Prot.Read | Prot.Exec);
        Assert.Equal(MmStatus.AccessDenied, f.Space.Protect(x, Page, Prot.Read | Prot.Write));
        f.Space.WxEnforced = false;
        Assert.Equal(MmStatus.Ok, f.Space.Protect(va, Page, Prot.Read | Prot.Write | Prot.Exec));
    }

    [Fact]
    public void FixedNoReplace_OverExisting_Eexist_AndFixedReplacesWithZeroes()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(2 * Page);
        Assert.True(f.Mmu.TryWrite8(va, 0x41));
        Assert.Equal(MmStatus.Exists, f.Space.Map(va, Page, Prot.Read | Prot.Write, MapFlags.FixedNoReplace, null, 0, out _));
        Assert.Equal(MmStatus.Ok, f.Space.Map(va, Page, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out ulong r));
        Assert.Equal(va, r);
        Assert.True(f.Mmu.TryRead8(va, out byte b));
        Assert.Equal(0, b);
    }

    [Fact]
    public void Map_AtZeroFixed_IsEperm()
    {
        using MemoryFixture f = new();
        Assert.Equal(MmStatus.NotPermitted, f.Space.Map(0, Page, Prot.Read, MapFlags.Fixed, null, 0, out _));
        Assert.Equal(MmStatus.NotPermitted, f.Space.Map(0, Page, Prot.Read, MapFlags.FixedNoReplace, null, 0, out _));
    }

    [Fact]
    public void Remap_GrowMayMove_KeepsData()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(Page);
        f.MapAnon(Page); // blocks growth in place (it sits just below... and merges); use a guard instead
        Assert.True(f.Mmu.TryWrite64(va, 0xDEADBEEF));
        Assert.Equal(MmStatus.Ok, f.Space.Remap(va, Page, 4 * Page, RemapFlags.MayMove, 0, out ulong n));
        Assert.True(f.Mmu.TryRead64(n, out ulong v));
        Assert.Equal(0xDEADBEEFUL, v);
        Assert.True(f.Mmu.TryRead64(n + Page, out v));
        Assert.Equal(0UL, v);
    }

    [Fact]
    public void Remap_Shrink_UnmapsTail()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(8 * Page);
        Assert.Equal(MmStatus.Ok, f.Space.Remap(va, 8 * Page, 2 * Page, RemapFlags.None, 0, out ulong n));
        Assert.Equal(va, n);
        Assert.False(f.Mmu.TryRead8(va + (2 * Page), out _));
        Assert.Equal(FaultKind.MapErr, f.Mmu.LastFault.Kind);
    }

    [Fact]
    public void Brk_GrowsAndShrinks()
    {
        using MemoryFixture f = new();
        f.Space.InitBrk(0x600000);
        Assert.Equal(0x600000UL + 100, f.Space.SetBrk(0x600000 + 100));
        Assert.True(f.Mmu.TryWrite8(0x600010, 5));
        Assert.Equal(0x610000UL, f.Space.SetBrk(0x610000));
        Assert.Equal(1, f.Space.MapCount);
        Assert.Equal(0x600000UL, f.Space.SetBrk(0x600000));
        Assert.Equal(0, f.Space.MapCount);
        Assert.Equal(0x600000UL, f.Space.SetBrk(0x500000)); // below start: unchanged
    }

    [Fact]
    public void Commit_StrictMode_RefusesBeyondLimit()
    {
        using MemoryFixture f = new();
        f.Machine.Overcommit = OvercommitMode.Never;
        long before = f.Machine.CommittedPages;
        Assert.Equal(MmStatus.NoMemory, f.Space.Map(0, 60UL << 20, Prot.Read | Prot.Write, MapFlags.None, null, 0, out _));
        Assert.Equal(before, f.Machine.CommittedPages);
        // Mode 2 ignores MAP_NORESERVE, as Linux does.
        Assert.Equal(MmStatus.NoMemory, f.Space.Map(0, 60UL << 20, Prot.Read | Prot.Write, MapFlags.NoReserve, null, 0, out _));
        ulong va = f.MapAnon(Page);
        Assert.Equal(before + 1, f.Machine.CommittedPages);
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(va, Page));
        Assert.Equal(before, f.Machine.CommittedPages);
    }

    [Fact]
    public void StackVma_GrowsDownOnAccess()
    {
        using MemoryFixture f = new();
        ulong top = 0x7ffffffff000;
        Assert.Equal(MmStatus.Ok, f.Space.Map(top - (4 * Page), 4 * Page, Prot.Read | Prot.Write, MapFlags.Fixed | MapFlags.GrowsDown, null, 0, out ulong s));
        Assert.True(f.Mmu.TryWrite8(s - 10, 1));
        Vma? v = f.Space.WithLock(sp => sp.FindVmaLocked(s - 10));
        Assert.NotNull(v);
        Assert.Equal(s - Page, v!.Start);
    }

    [Fact]
    public void Unmap_MoreLeavesThanOneZapBatch_ReleasesEveryFrame()
    {
        using MemoryFixture f = new();
        long before = f.Machine.Physical.UsedFrames;
        const ulong Pages = 4096 + 100; // one full 4096-leaf batch released mid-walk, then the rest
        ulong va = f.MapAnon(Pages * Page);
        for (ulong p = 0; p < Pages; p++)
        {
            Assert.True(f.Mmu.TryWrite8(va + (p * Page), (byte)p));
        }

        Assert.Equal((long)Pages, f.Space.RssAnon);
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(va, Pages * Page));
        Assert.Equal(0, f.Space.RssAnon);
        Assert.Equal(before, f.Machine.Physical.UsedFrames);
        f.Machine.Physical.Allocator.CheckInvariants();
        f.Space.CheckInvariants();
    }
}
