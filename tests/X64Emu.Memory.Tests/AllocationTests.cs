using System;
using Xunit;

namespace X64Emu.Memory.Tests;

/// <summary>Allocation counts: run alone, as they switch off the invariant checker (which allocates) for everyone.</summary>
[Collection(nameof(AllocationTests))]
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public class AllocationTests
{
    private const ulong Page = PageSizes.PageSize;

    [Fact]
    public void Unmap_ManyPages_AllocatesAtMostOneBatch()
    {
        using MemoryFixture f = new();
        AddressSpace.CheckAfterEveryMutation = false; // the checker allocates; this test counts allocations
        try
        {
            const ulong Pages = 3 * 4096;
            ulong va = f.MapAnon(Pages * Page);
            for (ulong p = 0; p < Pages; p++)
            {
                Assert.True(f.Mmu.TryWrite8(va + (p * Page), 1));
            }

            // A list of zapped leaves cost 32 bytes a page plus its doublings (over 1 MB here), and stayed with
            // the space; the batch is one 64 KiB array, shared by every address space.
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal(MmStatus.Ok, f.Space.Unmap(va, Pages * Page));
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.True(allocated < 80_000, $"munmap of {Pages} pages allocated {allocated} bytes");
            Assert.Equal(0, f.Space.RssAnon);
        }
        finally
        {
            AddressSpace.CheckAfterEveryMutation = true;
        }
    }
}
