using System.Buffers.Binary;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// Follows the RFC 6455 frame headers in the bytes a client sends, as <see cref="RawSocketStream"/>
/// passes them to the <see cref="System.Net.WebSockets.WebSocket"/>, and remembers how many payload
/// bytes the frames of each data message have announced so far. The WebSocket does not say how long
/// a frame is before its payload has been read; with this, <see cref="RawWebSocketSession"/> refuses
/// an unfragmented message over the limit from its header alone, before buffering any of it, and a
/// fragmented one as soon as a fragment's header takes it past the limit.
/// </summary>
/// <remarks>
/// The WebSocket reads ahead into a buffer of its own (at most 125 bytes), so the headers seen here
/// may already belong to messages after the one being received: messages are told apart by their
/// sequence number, counted the same way on both sides (every text or binary frame begins one).
/// Control frames (ping, pong, close) may come between fragments and belong to no message.
/// </remarks>
internal sealed class InboundFrameHeaders
{
    // Messages whose headers may have been read ahead: 125 bytes hold at most 21 masked headers.
    private const int Remembered = 32;
    private const int MaxHeaderLength = 14;
    private const int PongOpcode = 0xA;

    private readonly byte[] _header = new byte[MaxHeaderLength];
    private int _headerLength;
    private long _payloadLeft;
    private long _messages;

    // Allocated on a socket's first data frame: most viewers never send one.
    private long[]? _numbers;
    private long[]? _announced;

    // The pong awaited by ExpectPong: its payload, then the matching state of the pong being read.
    private long _expectedPong;
    private bool _awaitingPong;
    private int _pongPayloadRead = -1;
    private bool _pongDiffers;

    /// <summary>
    /// Whether the client sent a frame without a mask, which RFC 6455 §5.1 forbids: the server must
    /// close the connection. The WebSocket itself does not check it.
    /// </summary>
    public bool SawUnmaskedFrame { get; private set; }

    /// <summary>Whether a pong answering the ping of <see cref="ExpectPong"/> has come.</summary>
    public bool PongArrived { get; private set; }

    /// <summary>
    /// Watches for a pong whose payload is the 8 bytes of <paramref name="payload"/>, the answer to
    /// a ping the server sent with it (RFC 6455 §5.5.3: a pong echoes its ping's payload).
    /// </summary>
    public void ExpectPong(long payload)
    {
        // Called by the writer while the reader observes: the payload is in place before the reader can see the flag.
        _expectedPong = payload;
        PongArrived = false;
        Volatile.Write(ref _awaitingPong, true);
    }

    /// <summary>
    /// Payload bytes announced so far by the frame headers of data message <paramref name="message"/>
    /// (1 for the socket's first); 0 when none of its headers has been seen.
    /// </summary>
    public long AnnouncedBytes(long message)
    {
        var slot = (int)(message % Remembered);
        return _numbers is { } numbers && numbers[slot] == message ? _announced![slot] : 0;
    }

    /// <summary>Follows <paramref name="bytes"/>, the next bytes read from the client.</summary>
    public void Observe(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_payloadLeft > 0)
            {
                var skipped = (int)Math.Min(_payloadLeft, bytes.Length);
                if (_pongPayloadRead >= 0)
                {
                    MatchPong(bytes[..skipped]);
                }

                _payloadLeft -= skipped;
                bytes = bytes[skipped..];
                continue;
            }

            _header[_headerLength++] = bytes[0];
            bytes = bytes[1..];
            if (_headerLength >= 2 && _headerLength == HeaderLength())
            {
                OnHeader();
                _headerLength = 0;
            }
        }
    }

    // The pong's payload arrives masked with the key at the end of its header (RFC 6455 §5.3).
    private void MatchPong(ReadOnlySpan<byte> payload)
    {
        var maskKey = _header.AsSpan(2, 4);
        foreach (var masked in payload)
        {
            var expected = (byte)(_expectedPong >> (8 * (7 - _pongPayloadRead)));
            _pongDiffers |= (byte)(masked ^ maskKey[_pongPayloadRead % 4]) != expected;
            _pongPayloadRead++;
        }

        if (_pongPayloadRead == sizeof(long))
        {
            _pongPayloadRead = -1;
            if (!_pongDiffers)
            {
                _awaitingPong = false;
                PongArrived = true;
            }
        }
    }

    // RFC 6455 §5.2: two bytes, then a 16- or 64-bit extended length, then the mask key.
    private int HeaderLength()
    {
        var lengthCode = _header[1] & 0x7F;
        var extended = lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0;
        var mask = (_header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    private void OnHeader()
    {
        var lengthCode = _header[1] & 0x7F;
        var length = lengthCode switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
            127 => (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)), long.MaxValue),
            _ => lengthCode,
        };
        _payloadLeft = length;
        if ((_header[1] & 0x80) == 0)
        {
            SawUnmaskedFrame = true;
        }

        var opcode = _header[0] & 0x0F;
        if (opcode >= 0x8)
        {
            // Only a masked pong of the awaited length can answer the ping (an unmasked one fails the connection anyway).
            _pongPayloadRead = opcode == PongOpcode && Volatile.Read(ref _awaitingPong) && length == sizeof(long) && (_header[1] & 0x80) != 0 ? 0 : -1;
            _pongDiffers = false;
            return;
        }

        _numbers ??= new long[Remembered];
        _announced ??= new long[Remembered];
        if (opcode != 0)
        {
            _messages++;
            var slot = (int)(_messages % Remembered);
            _numbers[slot] = _messages;
            _announced[slot] = length;
        }
        else if (_messages > 0)
        {
            // A continuation adds to the message it continues; a sum past long.MaxValue stays there.
            var slot = (int)(_messages % Remembered);
            _announced[slot] = _announced[slot] > long.MaxValue - length ? long.MaxValue : _announced[slot] + length;
        }
    }
}
