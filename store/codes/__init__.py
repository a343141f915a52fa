"""Code sets and validators: ICD-10-CM, CPT/HCPCS, NPI, place of service."""
