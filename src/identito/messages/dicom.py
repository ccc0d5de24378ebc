"""DICOM patient module with the INS (DRIMbox PoC encoding, ENCODINGS.md §8).

The local IPP stays in PatientID (0010,0020) / IssuerOfPatientID (0010,0021) with
the facility OID in IssuerOfPatientIDQualifiersSequence. The INS, only when the
view carries it, is one OtherPatientIDsSequence (0010,1002) item: PatientID =
matricule, IssuerOfPatientID = ``ASIP-SANTE-INS-NIR``/``-NIA``, TypeOfPatientID
``TEXT``, qualifiers UniversalEntityID = OID, UniversalEntityIDType = ``ISO``,
IdentifierTypeCode = ``INS`` (mirrors HL7 CX-5).

Traits: PatientName ``BIRTH NAME^FIRST BIRTH FIRST NAME`` (INFERRED: DICOM has no
home for the used name, the first-name list, the birth place or the status),
PatientBirthDate, PatientSex (M/F/O). The output is a Part 10 file holding the
patient module only (SOP class Secondary Capture, no pixel data): it is meant to
be merged into the instances a modality produces, not stored as an image.
"""

from __future__ import annotations

from io import BytesIO
from uuid import NAMESPACE_OID, UUID, uuid5

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from identito.domain.diffusion import DiffusionView, ExportContext
from identito.domain.traits import Sex
from identito.messages.common import INS_NAMESPACE

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
#: UUID-derived OID (ITU-T X.667 arc 2.25) naming identito as the implementation.
IMPLEMENTATION_UID = "2.25.{}".format(UUID("8c7e1f0e-6f55-4b0e-9a43-2f1d0c6a1d10").int)
SEX = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.INDETERMINATE: "O"}
DICOM_MEDIA_TYPE = "application/dicom"


def _qualifiers(oid: str, type_code: str | None = None) -> Dataset:
    item = Dataset()
    item.UniversalEntityID = oid
    item.UniversalEntityIDType = "ISO"
    if type_code:
        item.IdentifierTypeCode = type_code
    return item


def patient_dataset(view: DiffusionView, context: ExportContext) -> Dataset:
    t = view.traits
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = SECONDARY_CAPTURE
    instance = uuid5(NAMESPACE_OID, f"{view.identity_id}/{context.message_id}")
    ds.SOPInstanceUID = f"2.25.{instance.int}"
    ds.PatientName = f"{t.birth_name}^{t.first_birth_first_name}"
    ds.PatientID = str(view.identity_id)
    ds.IssuerOfPatientID = context.facility_name
    ds.IssuerOfPatientIDQualifiersSequence = [_qualifiers(context.facility_oid)]
    ds.PatientBirthDate = view.birth_date.strftime("%Y%m%d")
    ds.PatientSex = SEX[t.sex]
    if view.ins is not None:
        other = Dataset()
        other.PatientID = view.ins.number.number
        other.IssuerOfPatientID = INS_NAMESPACE[view.ins.oid]
        other.TypeOfPatientID = "TEXT"
        other.IssuerOfPatientIDQualifiersSequence = [_qualifiers(view.ins.oid.value, "INS")]
        ds.OtherPatientIDsSequence = [other]
    return ds


def render_dataset(view: DiffusionView, context: ExportContext) -> bytes:
    ds = patient_dataset(view, context)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_UID
    meta.ImplementationVersionName = "IDENTITO_1"
    ds.file_meta = meta
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
