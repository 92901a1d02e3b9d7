namespace X64Emu.Linux.Tasks;

/// <summary>A guest process's emulated credentials (real, effective, saved, filesystem ids).</summary>
public sealed class Credentials
{
    public uint Uid;
    public uint Euid;
    public uint Suid;
    public uint Fsuid;
    public uint Gid;
    public uint Egid;
    public uint Sgid;
    public uint Fsgid;
    public uint[] Groups = System.Array.Empty<uint>();

    public Credentials Clone() => (Credentials)MemberwiseClone();

    public bool IsRoot => Euid == 0;
}
