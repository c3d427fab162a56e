import KVCtlCore

await KVCtl.runAsMain()
