"""INSi teleservice adapters: the SOAP client and the simulator (docs/insi.md).

* ``envelope``, ``messages``: pure builders and parsers of the contract's messages;
* ``schemas``: the contract's XSDs (shipped in ``contract/``), loaded offline;
* ``saml``: the signed PS assertion of the professional-card mode;
* ``transport``, ``client``: ``SoapTeleservice`` over HTTPS with mutual TLS;
* ``simulator/``: reference base, matching, fault injection, ``SimulatedTeleservice``
  and the HTTPS server of ``identito insi-simulator``.
"""
