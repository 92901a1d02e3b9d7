using Iced.Intel;
using X64Emu.Memory;

namespace X64Emu.Cpu.Decode;

/// <summary>Feeds Iced's decoder from guest memory through the fetch TLB, page by page.</summary>
internal sealed unsafe class GuestCodeReader : CodeReader
{
    private Mmu? _mmu;
    private ulong _va;
    private ulong _pageVa = ulong.MaxValue;
    private byte* _page;

    /// <summary>Set when a byte could not be fetched (the page is unmapped or not executable).</summary>
    public bool Faulted { get; private set; }

    /// <summary>Lowest page fetched from, and the highest (a block may span two).</summary>
    public ulong FirstPage { get; private set; }

    public ulong LastPage { get; private set; }

    private readonly byte[] _captured = new byte[(BlockCache.MaxBlockInsns + 2) * 15];
    private int _capturedLength;

    /// <summary>The bytes read since <see cref="Reset"/>, in order (a block's code, for the compiled tier).</summary>
    public System.ReadOnlySpan<byte> Captured => new System.ReadOnlySpan<byte>(_captured, 0, _capturedLength);

    public void Reset(Mmu mmu, ulong va)
    {
        _capturedLength = 0;
        _mmu = mmu;
        _va = va;
        _pageVa = ulong.MaxValue;
        _page = null;
        Faulted = false;
        FirstPage = va & ~PageSizes.PageMask;
        LastPage = FirstPage;
    }

    /// <summary>Moves the read position (after a rejected instruction, to re-decode from a boundary).</summary>
    public ulong Position
    {
        get => _va;
        set => _va = value;
    }

    public override int ReadByte()
    {
        ulong page = _va & ~PageSizes.PageMask;
        if (page != _pageVa)
        {
            byte* host = _mmu!.TryTranslate(page, 1, Access.Fetch);
            if (host == null)
            {
                Faulted = true;
                return -1;
            }

            _page = host;
            _pageVa = page;
            if (page > LastPage)
            {
                LastPage = page;
            }
        }

        byte b = _page[_va++ & PageSizes.PageMask];
        if (_capturedLength < _captured.Length)
        {
            _captured[_capturedLength++] = b;
        }

        return b;
    }
}
