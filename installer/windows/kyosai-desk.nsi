; 共済デスク — Windows installer (NSIS 3, Unicode), our own script for the cross-built or
; Windows-built kyosai-desk.exe. Per-machine install for centrally managed PCs:
;
;   kyosai-desk-setup.exe /S                      silent install (software distribution)
;   kyosai-desk-setup.exe /S /D=C:\Apps\KyosaiDesk  another folder (/D must come last)
;   "%ProgramFiles%\KyosaiDesk\uninstall.exe" /S  silent uninstall (user data kept)
;
; WebView2: office PCs on a closed network cannot download the runtime. When it is missing,
; the installer runs Microsoft's standalone installer shipped beside the app
; (redist\MicrosoftEdgeWebView2RuntimeInstallerX64.exe, which IT downloads once from
; Microsoft — see docs/it-guide.md) and stops with a clear message when that is absent too.
;
; Build: makensis -DVERSION=0.1.0 -DSTAGE=<folder with kyosai-desk.exe and redist\> \
;          -DOUTFILE=<setup.exe> installer/windows/kyosai-desk.nsi
; (installer/release-windows does this, then signs with installer/sign-windows).

Unicode true
ManifestDPIAware true
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "-DVERSION=x.y.z を指定してください"
!endif
!ifndef STAGE
  !error "-DSTAGE=<kyosai-desk.exe のあるフォルダ> を指定してください"
!endif
!ifndef OUTFILE
  !define OUTFILE "kyosai-desk_${VERSION}_x64-setup.exe"
!endif

!define PRODUCT "共済デスク"
!define PUBLISHER "東京都職員共済組合"
!define IDENT "jp.kyosai.desk"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENT}"
; The Evergreen WebView2 runtime's client GUID (same on every PC).
!define WV2_GUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

!include "MUI2.nsh"
!include "x64.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\KyosaiDesk"
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
BrandingText "${PUBLISHER}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1041 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=1041 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1041 "FileDescription" "${PRODUCT} インストーラー"
VIAddVersionKey /LANG=1041 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1041 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1041 "LegalCopyright" "${PUBLISHER}"

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Japanese"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${PRODUCT} は 64 ビット版の Windows が必要です。" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Function EnsureWebView2
  ; Installed for the machine (either registry view) or for the user: nothing to do.
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WV2_GUID}" "pv"
  ${If} $0 != "" 
  ${AndIf} $0 != "0.0.0.0"
    Return
  ${EndIf}
  ReadRegStr $0 HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WV2_GUID}" "pv"
  ${If} $0 != ""
  ${AndIf} $0 != "0.0.0.0"
    Return
  ${EndIf}
  IfFileExists "$EXEDIR\redist\MicrosoftEdgeWebView2RuntimeInstallerX64.exe" 0 missing
    DetailPrint "WebView2 ランタイムをインストールしています…"
    ExecWait '"$EXEDIR\redist\MicrosoftEdgeWebView2RuntimeInstallerX64.exe" /silent /install' $1
    ${If} $1 != 0
      MessageBox MB_ICONSTOP "WebView2 ランタイムをインストールできませんでした（終了コード $1）。IT管理者に連絡してください。" /SD IDOK
      Abort
    ${EndIf}
    Return
  missing:
    MessageBox MB_ICONSTOP "WebView2 ランタイムがありません。インストーラーと同じフォルダの redist に MicrosoftEdgeWebView2RuntimeInstallerX64.exe を置いてから、もう一度実行してください。" /SD IDOK
    Abort
FunctionEnd

Section "Install"
  Call EnsureWebView2
  ; A running copy would keep its files locked.
  nsExec::Exec 'taskkill /IM kyosai-desk.exe /T'
  SetOutPath "$INSTDIR"
  File "${STAGE}\kyosai-desk.exe"
  File /nonfatal "${STAGE}\*.dll"
  ; Resource files, when a build has any (the Tauri build embeds ours in the exe).
  !if /FileExists "${STAGE}\resources\*"
    File /r "${STAGE}\resources"
  !endif
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\kyosai-desk.exe"

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\kyosai-desk.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

; Removes the program, its shortcut and registration. Users' data under
; %LOCALAPPDATA%\jp.kyosai.desk and the machine policy under %ProgramData%\KyosaiDesk stay
; (they are the users' work and IT's configuration); docs/it-guide.md says how to remove them.
Section "Uninstall"
  SetRegView 64
  nsExec::Exec 'taskkill /IM kyosai-desk.exe /T'
  Delete "$INSTDIR\kyosai-desk.exe"
  Delete "$INSTDIR\*.dll"
  RMDir /r "$INSTDIR\resources"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
