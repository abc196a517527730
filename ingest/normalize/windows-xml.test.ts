import { describe, expect, it } from 'vitest';
import { scanWindowsXml } from './windows-xml.js';

const SYSTEM =
  '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>' +
  '<Provider Name="Microsoft-Windows-Security-Auditing" Guid="{5484}"/><EventID>4624</EventID>' +
  '<Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode>' +
  '<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2016-07-08T18:12:51.6Z"/>' +
  '<EventRecordID>2</EventRecordID><Correlation/><Execution ProcessID="456" ThreadID="460"/>' +
  '<Channel>Security</Channel><Computer>host-1</Computer><Security/></System>';

function scan(eventData: string) {
  const result = scanWindowsXml(`${SYSTEM}${eventData}</Event>`);
  if (typeof result === 'string') throw new Error(result);
  return result;
}

describe('scanWindowsXml', () => {
  it('reads the System fields of the common shape', () => {
    const result = scan('<EventData/>');
    expect(result.system).toEqual({
      EventID: '4624',
      Computer: 'host-1',
      Channel: 'Security',
      EventRecordID: '2',
      Task: '12544',
      Opcode: '0',
      Level: '0',
      Keywords: '0x8020000000000000',
      seen: true,
    });
    expect(result.providerName).toBe('Microsoft-Windows-Security-Auditing');
    expect(result.systemTime).toBe('2016-07-08T18:12:51.6Z');
  });

  it('reads every form of Data and decodes entities', () => {
    const result = scan(
      '<EventData><Data Name="A">x&amp;y&#10;z</Data><Data Name="B"/><Data>free</Data>' +
        '<Data/><Data Name="C"></Data><Binary>00AA</Binary></EventData>',
    );
    expect(result.dataNames).toEqual(['A', 'B', undefined, undefined, 'C']);
    expect(result.dataValues).toEqual(['x&y\nz', '', 'free', '', '']);
  });

  it('reads other shapes as the scanner does', () => {
    const cdata = scan('<EventData><Data Name="A"><![CDATA[a<b]]></Data></EventData>');
    expect(cdata.dataValues).toEqual(['a<b']);
    const rendered = scan(
      '<EventData/><RenderingInfo Culture="en-US"><Message>Text</Message></RenderingInfo>',
    );
    expect(rendered.message).toBe('Text');
  });

  it('rejects bad entities and mismatched tags with the scanner reasons', () => {
    expect(
      scanWindowsXml(`${SYSTEM}<EventData><Data Name="A">a&nbsp;b</Data></EventData></Event>`),
    ).toBe('unknown or malformed entity in "a&nbsp;b"');
    expect(
      scanWindowsXml(`${SYSTEM}<EventData><Data Name="A">&constructor;</Data></EventData></Event>`),
    ).toBe('unknown or malformed entity in "&constructor;"');
    expect(scanWindowsXml(`${SYSTEM}<EventData><Data Name="A">a</Dat></EventData></Event>`)).toBe(
      'mismatched tags: <Data> closed by </Dat>',
    );
  });
});
