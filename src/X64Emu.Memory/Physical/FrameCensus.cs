namespace X64Emu.Memory.Physical;

/// <summary>Frames by kind, in frames (see <see cref="PhysicalMemory.Census"/>).</summary>
public struct FrameCensus
{
    public long Anon;
    public long File;
    public long Shmem;
    public long PageTables;
}
